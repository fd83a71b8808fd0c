#!/usr/bin/env python3
"""Checks hazardflow's schema registry and records with Confluent's own Python client (confluent-kafka).

  consume:  reads records from a topic, decodes each value with AvroDeserializer (Confluent wire format: magic byte 0,
            4-byte schema id, Avro body; the schema fetched by id from the registry) and prints one JSON line per
            record: {"key", "schema_id", "value"}.
  register: registers a schema with SchemaRegistryClient, reads it back every way the client offers, serializes a
            record with AvroSerializer, and prints one JSON object with what it saw.

Needs `pip install confluent-kafka fastavro` (see README). Exits 1 with one line on stderr when something fails.
"""
import argparse
import datetime
import json
import sys
import uuid

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext


def plain(value):
    """JSON-ready value: timestamp-millis comes back from fastavro as datetime; print it as epoch millis again."""
    if isinstance(value, datetime.datetime):
        return round(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def consume(args):
    registry = SchemaRegistryClient({"url": args.registry})
    deserializer = AvroDeserializer(registry)
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": f"confluent-check-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([args.topic])
    seen = 0
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=args.timeout)
    try:
        while seen < args.count:
            if datetime.datetime.now() > deadline:
                raise TimeoutError(f"read {seen} of {args.count} records from {args.topic} in {args.timeout}s")
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise RuntimeError(str(msg.error()))
            raw = msg.value()
            value = deserializer(raw, SerializationContext(msg.topic(), MessageField.VALUE))
            key = msg.key().decode("utf-8") if msg.key() is not None else None
            print(json.dumps({"key": key, "schema_id": int.from_bytes(raw[1:5], "big"), "value": plain(value)}))
            seen += 1
    finally:
        consumer.close()


def register(args):
    registry = SchemaRegistryClient({"url": args.registry})
    subject = args.subject
    schema_v1 = json.dumps({
        "type": "record", "name": "Station", "namespace": "interop",
        "fields": [{"name": "name", "type": "string"}, {"name": "elevation_m", "type": "int"}],
    })
    schema_id = registry.register_schema(subject, Schema(schema_v1, "AVRO"))
    # A fresh client: nothing cached, every answer comes from the server.
    fresh = SchemaRegistryClient({"url": args.registry})
    by_id = fresh.get_schema(schema_id, subject_name=subject)
    latest = fresh.get_latest_version(subject)
    version1 = fresh.get_version(subject, 1)
    looked_up = fresh.lookup_schema(subject, Schema(schema_v1, "AVRO"))
    fresh.set_compatibility(subject_name=subject, level="FULL")
    compat_level = fresh.get_compatibility(subject_name=subject)
    breaking = json.dumps({
        "type": "record", "name": "Station", "namespace": "interop",
        "fields": [{"name": "name", "type": "string"}, {"name": "elevation_m", "type": "int"},
                   {"name": "operator", "type": "string"}],
    })
    compatible = fresh.test_compatibility(subject, Schema(breaking, "AVRO"))
    try:
        fresh.register_schema(subject, Schema(breaking, "AVRO"))
        refused = None
    except SchemaRegistryError as err:
        refused = {"http_status": err.http_status_code, "error_code": err.error_code, "message": err.error_message}

    serializer = AvroSerializer(fresh, schema_v1)
    encoded = serializer({"name": "Svalbard", "elevation_m": 450}, SerializationContext(args.topic, MessageField.VALUE))

    print(json.dumps({
        "id": schema_id,
        "schema_by_id": json.loads(by_id.schema_str),
        "schema_type": by_id.schema_type,
        "latest": {"id": latest.schema_id, "version": latest.version, "subject": latest.subject},
        "version1_id": version1.schema_id,
        "lookup": {"id": looked_up.schema_id, "version": looked_up.version},
        "subjects": fresh.get_subjects(),
        "versions": fresh.get_versions(subject),
        "compatibility": compat_level,
        "breaking_is_compatible": compatible,
        "refused": refused,
        "serialized_hex": encoded.hex(),
        "serialized_subject": f"{args.topic}-value",
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", default="http://127.0.0.1:8081")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("consume")
    c.add_argument("--bootstrap", default="127.0.0.1:9092")
    c.add_argument("--topic", required=True)
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--timeout", type=float, default=20)
    r = sub.add_parser("register")
    r.add_argument("--subject", required=True)
    r.add_argument("--topic", required=True, help="topic whose -value subject AvroSerializer registers under")
    args = parser.parse_args()
    try:
        consume(args) if args.command == "consume" else register(args)
    except Exception as err:  # one readable line for the calling test, whatever failed
        print(f"confluent_check: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
