//! The generator's bounds hold at their edges and beyond: no recursion whose depth follows the
//! contract (a type with thousands of fields, on a 2 MiB stack, as `contract check` runs it), the
//! size of the generated code refused while generating, and a deadline that stops the work.

use std::time::{Duration, Instant};

use sips_wallet_codegen::{generate, limits, Options, Sources};

/// A one-operation contract whose request type has `fields` fields and which has `types` more
/// types of `per_type` fields each.
fn contract(fields: usize, types: usize, per_type: usize) -> Sources {
    let field = |i: usize| format!(r#"<element name="f{i}" type="string" minOccurs="0"/>"#);
    let wide: String = (0..fields).map(field).collect();
    let many: String = (0..types)
        .map(|t| {
            let body: String = (0..per_type).map(field).collect();
            format!(r#"<complexType name="T{t}"><sequence>{body}</sequence></complexType>"#)
        })
        .collect();
    let wsdl = format!(
        r#"<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:s="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:x" targetNamespace="urn:x">
  <types><schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x" elementFormDefault="qualified">
    <complexType name="Req"><sequence>{wide}</sequence></complexType>{many}
    <complexType name="Resp"><sequence><element name="code" type="string"/></sequence></complexType>
    <element name="op"><complexType><sequence><element name="input" type="tns:Req"/></sequence></complexType></element>
    <element name="opResponse"><complexType><sequence><element name="output" type="tns:Resp"/></sequence></complexType></element>
  </schema></types>
  <message name="op"><part name="parameters" element="tns:op"/></message>
  <message name="opResponse"><part name="parameters" element="tns:opResponse"/></message>
  <portType name="P"><operation name="op"><input message="tns:op"/><output message="tns:opResponse"/></operation></portType>
  <binding name="B" type="tns:P"><s:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="op"><s:operation soapAction=""/><input><s:body use="literal"/></input><output><s:body use="literal"/></output></operation></binding>
  <service name="S"><port name="p" binding="tns:B"><s:address location="https://x/ws"/></port></service>
</definitions>"#
    );
    Sources::new("x.wsdl", vec![("x.wsdl".into(), wsdl)])
}

/// Runs the generator on a thread with the stack a blocking task gets (2 MiB): an overflow would
/// abort the test process.
fn on_a_small_stack(sources: Sources, options: Options) -> Result<usize, String> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            generate(&sources, &options)
                .map(|g| g.source.len())
                .map_err(|e| e.to_string())
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_type_with_thousands_of_fields_needs_no_deep_stack() {
    // 6,860 fields overflowed the stack once (a chained expression per field).
    let result = on_a_small_stack(contract(7_000, 0, 0), Options::default());
    match result {
        Ok(bytes) => assert!(bytes <= limits::MAX_GENERATED_BYTES),
        Err(error) => assert!(error.contains("would exceed"), "{error}"),
    }
}

#[test]
fn code_too_large_is_refused_while_it_is_generated() {
    // 900 types of 20 fields: under every count limit, far over the code limit.
    let started = Instant::now();
    let error = on_a_small_stack(contract(1, 900, 20), Options::default()).unwrap_err();
    assert!(error.contains("would exceed 8388608 bytes"), "{error}");
    // It names the type where the budget ran out, not the whole document after the fact.
    assert!(error.contains("<T"), "{error}");
    // Stopped part-way: well under what generating all 18,000 fields takes.
    eprintln!("refused after {:?}", started.elapsed());
}

#[test]
fn a_deadline_stops_the_work() {
    let options = Options {
        deadline: Some(Instant::now() + Duration::from_millis(1)),
        ..Options::default()
    };
    let started = Instant::now();
    let error = on_a_small_stack(contract(1, 600, 20), options).unwrap_err();
    assert!(error.contains("out of time"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
