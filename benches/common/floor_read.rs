//! The floor for decode + verify: the least a correct reader of a Sips answer does, written by hand
//! on bare quick-xml. It borrows every text from the document, resolves namespaces and keeps only
//! the fields in their output element's namespace, and verifies the seal (fields sorted by name,
//! list items in order, each item's fields sorted) with `hmac` and `sha2`. No typed message, no
//! limits, no unknown fields kept, no masking: what the crate adds on top is what a bench measures.

use std::borrow::Cow;

use hmac::{Hmac, KeyInit, Mac};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use sha2::Sha256;

/// Fields the seal never covers.
const UNSEALED: [&str; 3] = ["keyVersion", "sealAlgorithm", "seal"];

/// What the floor read of an answer whose seal verified.
pub struct FloorAnswer<'a> {
    /// `walletResponseCode` (or `redirectionStatusCode`), as sent.
    pub code: Option<Cow<'a, str>>,
    /// How many fields were lists of fields (a wallet's payment means).
    pub items: usize,
}

/// One field of the output: a text, or a list item's fields (a range of `item_fields`).
enum Piece<'a> {
    Text(Cow<'a, str>),
    Item(std::ops::Range<usize>),
}

/// The HMAC state keyed once, as a careful hand-written client keeps it (keying costs two SHA-256
/// blocks per message otherwise).
pub fn keyed(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length")
}

/// Reads a SOAP answer (Envelope, Body, wrapper, output, fields) and verifies its seal with `mac`
/// (from [`keyed`]); `None` if it does not read or its seal does not verify.
pub fn floor_read<'a>(xml: &'a str, mac: &Hmac<Sha256>) -> Option<FloorAnswer<'a>> {
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut depth = 0;
    let mut output_ns: Option<Vec<u8>> = None;
    let mut fields: Vec<(&str, Piece<'_>)> = Vec::with_capacity(16);
    // Every item's fields, one after another (one vector, not one per item).
    let mut item_fields: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(64);
    // The field open at depth 5, and, once it holds elements, where its item's fields start.
    let mut field: Option<&str> = None;
    let mut item: Option<usize> = None;
    let mut item_field: Option<&str> = None;
    let mut text: Option<Cow<'_, str>> = None;
    let (mut seal, mut code) = (None, None);
    loop {
        let (ns, event) = reader.read_resolved_event().ok()?;
        match event {
            Event::Start(start) => {
                depth += 1;
                // Envelope 1, Body 2, wrapper 3, output 4, fields 5, item fields 6.
                let ns = match ns {
                    ResolveResult::Bound(ns) => Some(ns.into_inner()),
                    _ => None,
                };
                if depth == 4 {
                    output_ns = ns.map(<[u8]>::to_vec);
                    continue;
                }
                if depth < 5 {
                    continue;
                }
                if ns != output_ns.as_deref() {
                    return None;
                }
                let name = in_document(xml, start.local_name().into_inner())?;
                match depth {
                    5 => field = Some(name),
                    6 => {
                        item.get_or_insert(item_fields.len());
                        item_field = Some(name);
                    }
                    _ => return None,
                }
            }
            Event::End(_) => {
                match depth {
                    // A field ends: a list item if it held elements, else a text (the blank
                    // text between an item's elements is not the field's).
                    5 => match (field.take(), item.take(), text.take()) {
                        (Some(name), Some(start), _) => {
                            fields.push((name, Piece::Item(start..item_fields.len())))
                        }
                        (Some("seal"), None, value) => seal = value,
                        (Some(name), None, Some(value)) => {
                            if name == "walletResponseCode" || name == "redirectionStatusCode" {
                                code = Some(value.clone());
                            }
                            fields.push((name, Piece::Text(value)));
                        }
                        _ => {}
                    },
                    6 => item_field = None,
                    _ => {}
                }
                depth -= 1;
            }
            Event::Text(content) => {
                let value = content.xml10_content().ok()?;
                match (depth, item_field, item) {
                    (6, Some(name), Some(_)) => item_fields.push((name, value)),
                    (5, _, _) => text = Some(value),
                    _ => {}
                }
            }
            Event::Eof => break,
            // No entity references in the bank's answers; a floor refuses what it does not read.
            Event::GeneralRef(_) => return None,
            _ => {}
        }
    }
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut mac = mac.clone();
    let mut items = 0;
    for (name, piece) in &mut fields {
        if UNSEALED.contains(name) {
            continue;
        }
        match piece {
            Piece::Text(text) => mac.update(text.as_bytes()),
            Piece::Item(range) => {
                items += 1;
                let item = &mut item_fields[range.clone()];
                item.sort_by(|a, b| a.0.cmp(b.0));
                for (name, text) in item.iter() {
                    if !UNSEALED.contains(name) {
                        mac.update(text.as_bytes());
                    }
                }
            }
        }
    }
    let seal = hex::decode(seal?.as_bytes()).ok()?;
    mac.verify_slice(&seal).ok()?;
    Some(FloorAnswer { code, items })
}

/// The same bytes as a slice of the document itself (the reader borrows from it, so they lie
/// inside it): kept without a copy after the event is gone.
fn in_document<'a>(xml: &'a str, part: &[u8]) -> Option<&'a str> {
    let start = (part.as_ptr() as usize).checked_sub(xml.as_ptr() as usize)?;
    xml.get(start..start + part.len())
}
