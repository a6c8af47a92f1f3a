"""The peer a merchant would otherwise pick: zeep (Python) on the same messages as `benches/codec.rs`.

Run by that bench, which passes a folder holding `messages.json`: for each message, the operation
and either the request's fields (to encode + seal) or a response envelope (to decode + verify). The
seal code is what a zeep user writes by hand (zeep has none). Prints one JSON object: label -> µs,
the median of rounds, as the Rust side measures.
"""

import hmac
import json
import os
import sys
import time

import zeep
from lxml import etree
from zeep.helpers import serialize_object

# The seal code a zeep user writes by hand, shared with the interop suite.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from sips_seal import seal  # noqa: E402

ROUNDS = 15


class Reply:
    """What zeep's transport hands its binding: a requests.Response, reduced to what it reads."""

    status_code = 200
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    encoding = "utf-8"

    def __init__(self, content):
        self.content = content


def median_us(function):
    started = time.perf_counter()
    function()
    once = max(time.perf_counter() - started, 1e-7)
    iterations = max(10, min(200_000, int(0.02 / once)))
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(iterations):
            function()
        rounds.append((time.perf_counter() - started) * 1e6 / iterations)
    rounds.sort()
    return rounds[len(rounds) // 2]


def main(folder):
    wsdl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wsdl", "wallet.wsdl")
    client = zeep.Client(wsdl)
    binding = client.service._binding
    with open(os.path.join(folder, "messages.json"), encoding="utf-8") as f:
        spec = json.load(f)
    key = spec["key"].encode()
    results = {}
    for message in spec["messages"]:
        operation = message["operation"]
        if "request" in message:
            fields = message["request"]

            def encode():
                sealed = dict(fields, seal=seal(key, fields))
                node = client.create_message(client.service, operation, input=sealed)
                return etree.tostring(node, xml_declaration=True, encoding="UTF-8")

            results[message["label"]] = median_us(encode)
        else:
            body = message["response"].encode()
            bound = binding.get(operation)

            def decode():
                output = binding.process_reply(client, bound, Reply(body))
                values = serialize_object(output)
                expected = seal(key, values)
                if not hmac.compare_digest(expected, values["seal"]):
                    raise SystemExit(f"{message['label']}: zeep's seal check failed")
                return values

            results[message["label"]] = median_us(decode)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
