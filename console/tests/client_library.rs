//! The client library against the fake agent: replies and stream messages
//! interleaved on one connection, typed errors, and a dropped client
//! really closing its connection.

mod fake_agent;

use std::time::{Duration, Instant};

use fake_agent::FakeAgent;
use fake_agent::messages::{event, events};
use moult_console::client::{Client, ClientError, Incoming};
use moult_protocol::{
    ErrorCode, EventKind, ProtocolError, QueuedUpdate, Request, Response, ServerMessage, discovery,
};

fn log(seq: u64) -> moult_protocol::Event {
    event(
        seq,
        EventKind::Log {
            level: "info".into(),
            message: format!("m{seq}"),
        },
    )
}

fn connect(agent: &FakeAgent) -> Client {
    Client::connect(&discovery::socket_path(agent.dir.path(), agent.pid)).unwrap()
}

#[test]
fn stream_messages_read_while_waiting_for_a_reply_come_out_of_recv_in_order() {
    let agent = FakeAgent::start(Box::new(|m| match &m.request {
        Request::Subscribe => vec![
            events(vec![log(0)]),
            ServerMessage::Ok {
                id: m.id,
                result: Response::Subscribed { from_seq: 0 },
            },
        ],
        Request::Apply { .. } => vec![
            events(vec![log(1)]),
            // A stray reply to some other request is ignored.
            ServerMessage::Ok {
                id: 999,
                result: Response::Requested { update: 1 },
            },
            events(vec![log(2)]),
            ServerMessage::Ok {
                id: m.id,
                result: Response::Queued {
                    updates: vec![QueuedUpdate {
                        id: 1,
                        name: "u".into(),
                    }],
                },
            },
            events(vec![log(3)]),
        ],
        _ => vec![],
    }));
    let mut client = connect(&agent);
    assert_eq!(client.hello().unwrap().agent.app, "fake-app");
    assert_eq!(client.subscribe().unwrap(), 0);
    let queued = client.apply("/x.so").unwrap();
    assert_eq!(queued[0].id, 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seqs = Vec::new();
    while seqs.len() < 4 {
        match client.recv(Some(deadline)).unwrap() {
            Some(Incoming::Events { events, .. }) => seqs.extend(events.iter().map(|e| e.seq)),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seqs, [0, 1, 2, 3]);
    // Nothing more: the deadline passes.
    let soon = Instant::now() + Duration::from_millis(50);
    assert_eq!(client.recv(Some(soon)).unwrap(), None);
}

#[test]
fn an_error_reply_is_the_agents_error_and_the_end_is_disconnected() {
    let agent = FakeAgent::start(Box::new(|m| match &m.request {
        Request::Convert { class } => vec![
            ServerMessage::Error {
                id: Some(m.id),
                error: ProtocolError::new(ErrorCode::NotFound, format!("unknown class `{class}`")),
            },
            ServerMessage::Closing {
                reason: "bye".into(),
            },
        ],
        _ => vec![],
    }));
    let mut client = connect(&agent);
    client.hello().unwrap();
    match client.convert("nope") {
        Err(ClientError::Agent(e)) => {
            assert_eq!(e.code, ErrorCode::NotFound);
            assert_eq!(e.message, "unknown class `nope`");
        }
        other => panic!("unexpected {other:?}"),
    }
    let deadline = Some(Instant::now() + Duration::from_secs(10));
    assert_eq!(
        client.recv(deadline).unwrap(),
        Some(Incoming::Closing {
            reason: "bye".into()
        })
    );
    assert_eq!(client.recv(deadline).unwrap(), Some(Incoming::Disconnected));
    let after = client.journal().unwrap_err();
    assert_eq!(after.to_string(), "the agent closed the connection: bye");
}

#[test]
fn dropping_the_client_closes_the_connection() {
    let agent = FakeAgent::start(Box::new(|_| vec![]));
    let mut client = connect(&agent);
    client.hello().unwrap();
    drop(client);
    // The fake agent returns once it reads the end of the connection.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(agent.received().len()).unwrap());
    let received = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the agent saw the connection end");
    assert_eq!(received, 1);
}

#[test]
fn connecting_to_a_socket_nobody_listens_on_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("1.sock");
    std::fs::write(&socket, "").unwrap();
    let err = Client::connect(&socket).err().unwrap();
    assert!(
        err.to_string()
            .starts_with(&format!("cannot connect to {}: ", socket.display())),
        "{err}"
    );
}

#[test]
fn open_connects_and_says_hello_in_one_call() {
    let agent = FakeAgent::start(Box::new(|_| vec![]));
    let socket = discovery::socket_path(agent.dir.path(), agent.pid);
    let (mut client, hello) = Client::open(&socket).unwrap();
    assert_eq!(hello.agent.app, "fake-app");
    // The connection is ready for requests after hello.
    assert_eq!(client.hello().unwrap().agent.app, "fake-app");
}
