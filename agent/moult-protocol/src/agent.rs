//! Who an agent is: the metadata file next to its socket and the hello reply.

use serde::{Deserialize, Serialize};

/// One running agent, as written to its metadata file and sent in the hello
/// reply. Everything `moult-console list` shows comes from here, so listing
/// agents never needs to connect to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentInfo {
    /// Name the app gave when it started the agent (`attach` by name uses it).
    pub app: String,
    /// Process id; also the socket's file name.
    pub pid: u32,
    /// Version of the app's moult crate.
    pub moult_version: String,
    /// Protocol version the agent speaks ([`crate::PROTOCOL_VERSION`]).
    pub protocol: u32,
    /// The app's build fingerprint: an update library must carry the same.
    pub fingerprint: String,
    /// Cargo profile the app was built in (`debug`, `release`): the console
    /// builds update crates in the same one so their fingerprint matches.
    pub cargo_profile: String,
    /// When the agent started, in milliseconds since the Unix epoch (uptime).
    pub started_unix_ms: u64,
    /// The socket path.
    pub socket: String,
    /// The journal file (JSON lines), readable after the app exits.
    pub journal: String,
    /// The app's executable, so a console can restart or find it again.
    pub exe: String,
    /// The copy of moult the app was built with and its features (absent
    /// from older agents): what an update crate scaffolded from the live app
    /// depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moult_build: Option<crate::MoultBuild>,
}
