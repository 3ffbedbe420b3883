pub const FINGERPRINT_SECTION: &str = ".moult";
pub struct Fingerprint;
