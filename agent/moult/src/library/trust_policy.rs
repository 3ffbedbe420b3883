//! Whether this app requires signed update libraries, and by which keys:
//! the keys given to [`require_signed`] and those named by
//! [`super::TRUSTED_KEYS_ENV`]. Kept in the app's runtime (not a static of
//! this copy of moult), so a library's copy of moult sees the same policy.
//!
//! The policy only tightens: once signatures are required nothing turns
//! the requirement off, so code that got loaded cannot open the door to
//! unsigned code after it.

use std::sync::{Arc, Mutex};

use super::trusted_keys::{TrustError, TrustedKeys};

/// The app's trust configuration (a field of the runtime's library registry).
#[derive(Debug, Default)]
pub(crate) struct TrustPolicy {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// What the environment variable said, read once (the first load or
    /// `agent::start`, whichever comes first): a later change of the
    /// process's environment does not loosen the policy.
    env: Option<Result<Option<TrustedKeys>, Arc<TrustError>>>,
    /// The keys the app gave [`require_signed`], if it called it.
    given: Option<TrustedKeys>,
}

impl TrustPolicy {
    /// Adds `keys` to the trusted ones and requires signatures from now on.
    fn require(&self, keys: TrustedKeys) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.given.get_or_insert_default().extend(keys);
    }

    /// The keys an update library must be signed by, or `None` when the app
    /// does not require signatures. An unreadable key named by the
    /// environment is an error: the app asked for signatures, so no library
    /// is accepted until the key can be read (fail closed).
    pub(crate) fn required_keys(&self) -> Result<Option<TrustedKeys>, Arc<TrustError>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let env = state
            .env
            .get_or_insert_with(|| TrustedKeys::from_env().map_err(Arc::new))
            .clone()?;
        Ok(match (env, &state.given) {
            (None, None) => None,
            (Some(env), None) => Some(env),
            (None, Some(given)) => Some(given.clone()),
            (Some(mut env), Some(given)) => {
                env.extend(given.clone());
                Some(env)
            }
        })
    }
}

/// Requires every update library loaded from now on to be signed by one of
/// `keys` (added to any already trusted, e.g. by `MOULT_TRUSTED_KEYS`): the
/// loader checks `<library>.minisig` over the library's bytes before the
/// library's fingerprint is read and before `dlopen`, and refuses an
/// unsigned, wrongly signed or changed library. Call it before
/// [`crate::agent::start`] so no unsigned update can come in between.
/// There is no way back: the requirement lasts for the life of the process.
pub fn require_signed(keys: TrustedKeys) {
    crate::runtime().libraries.trust.require(keys);
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUB: &str = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

    #[test]
    fn keys_given_make_signatures_required_and_accumulate() {
        let policy = TrustPolicy::default();
        // The environment is read once; tests do not set it.
        policy.state.lock().unwrap().env = Some(Ok(None));
        assert!(policy.required_keys().unwrap().is_none());
        policy.require(TrustedKeys::from_public_key(PUB, "a.pub").unwrap());
        policy.require(TrustedKeys::from_public_key(PUB, "b.pub").unwrap());
        assert_eq!(policy.required_keys().unwrap().unwrap().len(), 2);
    }

    #[test]
    fn an_unreadable_key_named_by_the_environment_refuses_every_load() {
        let policy = TrustPolicy::default();
        policy.state.lock().unwrap().env = Some(Err(Arc::new(TrustError::EmptyEnv)));
        assert!(policy.required_keys().is_err());
        policy.require(TrustedKeys::from_public_key(PUB, "a.pub").unwrap());
        assert!(
            policy.required_keys().is_err(),
            "giving keys does not lift it"
        );
    }
}
