//! The committed JSON Schemas describe the JSON the serde types really
//! write and read: every message the types can produce validates (a
//! snapshot with every section filled, every event kind, every error code,
//! every reply and request), every variant a schema names is among those
//! samples, and lines the types refuse are refused by the schemas too.

// The feature is on in this workspace (the crate's self dev-dependency);
// a packaged copy of the crate, where cargo drops that dependency, skips
// these tests instead of failing to build them.
#![cfg(feature = "schema")]

use std::collections::BTreeSet;
use std::path::PathBuf;

use jsonschema::Validator;
use moult_protocol::ServerMessage;
use serde_json::{Value, json};

mod samples;

use samples::{agent, client_messages, events, journal, library, server_messages, snapshot};

/// The committed schema `file`, compiled.
fn validator(file: &str) -> Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(moult_protocol::schema::DIR)
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; generate it with `MOULT_BLESS=1 cargo test -p moult-protocol --test schema`",
            path.display()
        )
    });
    let schema: Value = serde_json::from_str(&text).expect("a schema file is JSON");
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{} is not a usable schema: {e}", path.display()))
}

/// Panics with every validation error if `value` does not validate.
fn assert_valid(validator: &Validator, file: &str, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{value} does not validate against {file}:\n  {}",
        errors.join("\n  ")
    );
}

fn to_value(x: &impl serde::Serialize) -> Value {
    serde_json::to_value(x).expect("wire types serialise")
}

/// Every `const` and `enum` string of a schema: the tags and unit variants
/// it names.
fn named_variants(schema: &Value, into: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(s)) = map.get("const") {
                into.insert(s.clone());
            }
            if let Some(Value::Array(values)) = map.get("enum") {
                into.extend(values.iter().filter_map(|v| v.as_str().map(String::from)));
            }
            map.values().for_each(|v| named_variants(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| named_variants(v, into)),
        _ => {}
    }
}

/// Every string a JSON value holds.
fn strings(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            into.insert(s.clone());
        }
        Value::Object(map) => map.values().for_each(|v| strings(v, into)),
        Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        _ => {}
    }
}

/// The samples name every variant the schema `file` names: a new event
/// kind, reply or error code without a sample here fails.
fn assert_samples_cover(file: &str, samples: &[Value]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(moult_protocol::schema::DIR)
        .join(file);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut named = BTreeSet::new();
    named_variants(&schema, &mut named);
    let mut seen = BTreeSet::new();
    samples.iter().for_each(|s| strings(s, &mut seen));
    let missing: Vec<_> = named.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "{file} names variants no sample in this test produces: {missing:?}; add a sample of each"
    );
}

#[test]
fn every_message_the_agent_sends_validates() {
    let file = "server-message.schema.json";
    let v = validator(file);
    let samples: Vec<Value> = server_messages().iter().map(to_value).collect();
    for sample in &samples {
        assert_valid(&v, file, sample);
    }
    assert_samples_cover(file, &samples);
}

#[test]
fn every_request_validates() {
    let file = "client-message.schema.json";
    let v = validator(file);
    let samples: Vec<Value> = client_messages().iter().map(to_value).collect();
    for sample in &samples {
        assert_valid(&v, file, sample);
    }
    assert_samples_cover(file, &samples);
}

#[test]
fn the_parts_validate_on_their_own() {
    let check = |file: &str, samples: Vec<Value>| {
        let v = validator(file);
        for sample in &samples {
            assert_valid(&v, file, sample);
        }
        assert_samples_cover(file, &samples);
    };
    check("snapshot.schema.json", vec![to_value(&snapshot())]);
    check("event.schema.json", events().iter().map(to_value).collect());
    check(
        "journal-entry.schema.json",
        journal().iter().map(to_value).collect(),
    );
    check("agent-info.schema.json", vec![to_value(&agent())]);
    check("library-info.schema.json", vec![to_value(&library())]);
}

/// Lines as a client or an older agent may write them: a line serde
/// refuses, the schema refuses too, and the defaults serde fills in (an
/// older agent's missing field) and the fields it ignores (a newer one's)
/// the schema allows. For requests the schema is the stricter one.
#[test]
fn the_schemas_refuse_what_the_types_refuse() {
    let server = validator("server-message.schema.json");
    let reads = |line: &Value| serde_json::from_value::<ServerMessage>(line.clone()).is_ok();
    let mut older = to_value(&ServerMessage::State {
        snapshot: snapshot(),
    });
    let snap = older["snapshot"].as_object_mut().unwrap();
    snap.remove("tasks"); // an agent before tasks: serde's default
    snap.insert("added_later".into(), json!(1)); // a newer agent's field
    let accepted = [
        older,
        json!({"type":"ok","id":1,"result":{"kind":"journal","entries":[]}}),
        json!({"type":"error","id":null,"error":{"code":"busy","message":"retry"}}),
    ];
    for line in &accepted {
        assert!(reads(line), "serde refuses {line}");
        assert_valid(&server, "server-message.schema.json", line);
    }
    let refused = [
        json!({"type":"explode"}),
        json!({"type":"error","id":1,"error":{"code":"oops","message":"x"}}),
        json!({"type":"ok","id":1,"result":{"kind":"requested","update":"one"}}),
        json!({"type":"events","dropped":0,"events":[{"seq":0,"at_ms":0,
            "kind":{"type":"lifecycle","update":"u","id":1,"step":"sleeping"}}]}),
        json!({"type":"closing"}),
    ];
    for line in &refused {
        assert!(!reads(line), "serde reads {line}");
        assert!(!server.is_valid(line), "the schema accepts {line}");
    }

    let client = validator("client-message.schema.json");
    let agent_reads = |line: &Value| moult_protocol::decode_request(&line.to_string()).is_ok();
    for line in [
        json!({"id":1,"cmd":"abort"}),
        json!({"id":1,"cmd":"abort","update":"three"}),
        json!({"id":1,"cmd":"abort","update":7,"extra":2}),
        json!({"id":-1,"cmd":"snapshot"}),
        json!({"cmd":"snapshot"}),
        json!({"id":1,"cmd":"explode"}),
        json!({"id":1,"cmd":"hello","protocol":3}),
    ] {
        assert!(!agent_reads(&line), "the agent reads {line}");
        assert!(!client.is_valid(&line), "the schema accepts {line}");
    }
    // Stricter than the agent: an argument-less command's unknown field is
    // ignored by the agent but not allowed by the schema.
    let extra = json!({"id":1,"cmd":"snapshot","extra":1});
    assert!(agent_reads(&extra) && !client.is_valid(&extra));
    let optional = json!({"id":1,"cmd":"reboot_tasks","group":"conn"});
    assert!(agent_reads(&optional) && client.is_valid(&optional));
}
