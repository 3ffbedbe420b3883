//! The scaffold of a known snapshot, file by file.

use moult_protocol::{
    AgentInfo, ClassInfo, FnSource, FunctionInfo, MoultBuild, Snapshot, TaskInfo, ThreadInfo,
    ThreadState, VersionCount,
};

use super::{Membership, MoultSource, package_name, scaffold};

fn function(name: &str, version: u32, source: Option<FnSource>) -> FunctionInfo {
    FunctionInfo {
        name: name.into(),
        signature: "fn(u64) -> u64".into(),
        version,
        threads: Vec::new(),
        gated: false,
        health: Vec::new(),
        source,
    }
}

fn source(fn_type: &str, declared: &str, binary: Option<&str>) -> Option<FnSource> {
    Some(FnSource {
        fn_type: fn_type.into(),
        declared: declared.into(),
        package: "shop".into(),
        manifest_dir: "/src/shop".into(),
        binary: binary.map(Into::into),
    })
}

fn snapshot() -> Snapshot {
    Snapshot {
        agent: AgentInfo {
            app: "shop".into(),
            pid: 4242,
            moult_version: "0.1.0".into(),
            protocol: 1,
            fingerprint: "moult=0.1.0|rustc=1.95.0 (abc)|target=x86_64-unknown-linux-gnu|profile=opt-level=3 debug-assertions=false|panic=unwind|layout=1".into(),
            cargo_profile: "release".into(),
            started_unix_ms: 0,
            socket: "/run/moult/4242.sock".into(),
            journal: "/run/moult/4242.journal".into(),
            exe: "/src/shop/target/release/shop".into(),
            moult_build: Some(MoultBuild {
                manifest_dir: "/src/moult/agent/moult".into(),
                features: vec!["tokio".into()],
            }),
        },
        uptime_ms: 1000,
        threads: vec![ThreadInfo {
            name: "purger".into(),
            state: ThreadState::Running,
            last_point: Some("sweep".into()),
            main_version: 1,
            reboots: 1,
            mains: Vec::new(),
        }],
        functions: vec![
            function(
                "shop::price",
                2,
                source("fn(&Item, u32) -> u64", "fn price(item: &Item, qty: u32) -> u64", None),
            ),
            function(
                "shop::Cart::total",
                0,
                source("fn(&Cart) -> u64", "fn total(&self) -> u64", None),
            ),
            function(
                "shop::lookup",
                0,
                source(
                    "for<'__moult> fn(&'__moult str) -> ::moult::hot::BoxFuture<'__moult, Option<Item>>",
                    "async fn lookup(sku: &str) -> Option<Item>",
                    None,
                ),
            ),
            function(
                "shop_cli::banner",
                0,
                source("fn() -> String", "fn banner() -> String", Some("shop-cli")),
            ),
        ],
        tasks: vec![
            TaskInfo {
                id: 1,
                group: "conn".into(),
                state: ThreadState::Parked("read".into()),
                last_point: Some("read".into()),
                main_version: 0,
            },
            TaskInfo {
                id: 2,
                group: "conn".into(),
                state: ThreadState::Running,
                last_point: Some("accept".into()),
                main_version: 0,
            },
        ],
        classes: vec![ClassInfo {
            name: "Item".into(),
            version: 1,
            versions: vec![
                VersionCount {
                    version: 0,
                    type_name: "shop::ItemV0".into(),
                    live: 3,
                },
                VersionCount {
                    version: 1,
                    type_name: "shop::ItemV1".into(),
                    live: 7,
                },
            ],
            pending_lazy: 3,
        }],
        updates: Vec::new(),
        next_event: 0,
        connections: 1,
        dropped_subscribers: 0,
    }
}

#[test]
fn the_entry_lists_every_function_class_thread_and_task_group() {
    insta::assert_snapshot!(
        scaffold(&snapshot(), "shop-fix", "shop", &Membership::Standalone).lib_rs
    );
}

#[test]
fn the_manifest_follows_the_apps_build() {
    insta::assert_snapshot!(
        scaffold(&snapshot(), "shop-fix", "shop", &Membership::Standalone).manifest
    );
}

/// In the app's workspace: no `[workspace]` of its own and no profile (the
/// workspace's applies, and cargo ignores a member's).
#[test]
fn a_member_of_the_apps_workspace_has_no_workspace_or_profile_of_its_own() {
    let member = Membership::Member("/home/dev/shop".into());
    let manifest = scaffold(&snapshot(), "shop-fix", "shop", &member).manifest;
    assert!(!manifest.contains("\n[workspace]"), "{manifest}");
    assert!(!manifest.contains("[profile."), "{manifest}");
    assert!(
        manifest.contains("# A member of the app's workspace (/home/dev/shop)"),
        "{manifest}"
    );
    let standalone = scaffold(&snapshot(), "shop-fix", "shop", &Membership::Standalone).manifest;
    let dependencies = |m: &str| {
        let from = &m[m.find("[dependencies]").unwrap()..];
        from[..from.find("\n\n#").unwrap()].to_string()
    };
    assert_eq!(dependencies(&manifest), dependencies(&standalone));
}

#[test]
fn an_older_agent_gets_resolved_types_and_moult_by_version() {
    let mut old = snapshot();
    old.agent.moult_build = None;
    for f in &mut old.functions {
        f.source = None;
    }
    let s = scaffold(&old, "fix", "4242", &Membership::Standalone);
    assert_eq!(s.build.moult, MoultSource::Version("0.1.0".into()));
    assert!(s.build.crates.is_empty());
    assert!(
        s.manifest.contains("moult = { version = \"=0.1.0\" }\n"),
        "{}",
        s.manifest
    );
    assert!(
        s.lib_rs.contains(
            "// shop::price — version 2 now\n//     fn type:  fn(u64) -> u64 (resolved paths"
        ),
        "{}",
        s.lib_rs
    );
}

#[test]
fn a_package_name_is_made_from_any_directory_name() {
    assert_eq!(package_name("my-fix"), "my-fix");
    assert_eq!(package_name("Fix Prices!"), "fix-prices");
    assert_eq!(package_name("2026-fix"), "update-2026-fix");
    assert_eq!(package_name("..."), "update");
}
