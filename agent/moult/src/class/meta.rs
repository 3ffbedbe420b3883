//! A class's versions and the names of the concrete types it knows, under
//! one lock (the class's versions' lock, never held while user code runs).

use std::any::TypeId;

/// Versions by number (0 = compiled-in) and type names.
pub(crate) struct Meta {
    /// Concrete type of each version's values, learnt from the first value
    /// seen (a constructor or transformer cannot be asked without calling it).
    versions: Vec<Option<TypeId>>,
    /// Names of concrete types declared by the app or updates, for the console.
    type_names: Vec<(TypeId, &'static str)>,
}

impl Meta {
    /// An empty class whose version 0 has type `v0` if known.
    pub(crate) fn new(v0: Option<(TypeId, &'static str)>) -> Self {
        Meta {
            versions: vec![v0.map(|(t, _)| t)],
            type_names: v0.into_iter().collect(),
        }
    }

    /// How many versions.
    pub(crate) fn len(&self) -> u32 {
        self.versions.len() as u32
    }

    /// Records that `version`'s values have type `type_id`, if not known yet.
    pub(crate) fn learn(&mut self, version: u32, type_id: TypeId) {
        self.versions[version as usize].get_or_insert(type_id);
    }

    /// `true` if `version`'s type is not known yet.
    pub(crate) fn unlearnt(&self, version: u32) -> bool {
        self.versions[version as usize].is_none()
    }

    /// The newest version whose values have type `type_id`.
    pub(crate) fn version_of_type(&self, type_id: TypeId) -> Option<u32> {
        self.versions
            .iter()
            .rposition(|v| *v == Some(type_id))
            .map(|v| v as u32)
    }

    /// Adds a version (no instance yet); returns its number.
    pub(crate) fn push_version(&mut self, type_id: Option<TypeId>) -> u32 {
        self.versions.push(type_id);
        (self.versions.len() - 1) as u32
    }

    /// Remembers the name of a concrete type (first declaration wins).
    pub(crate) fn name_type(&mut self, type_id: TypeId, name: &'static str) {
        if !self.type_names.iter().any(|(t, _)| *t == type_id) {
            self.type_names.push((type_id, name));
        }
    }

    /// What the console shows as `version`'s type.
    pub(crate) fn type_name(&self, version: u32) -> String {
        match self.versions[version as usize] {
            None => "(no value yet)".into(),
            Some(t) => match self.type_names.iter().find(|(n, _)| *n == t) {
                Some((_, name)) => (*name).into(),
                None => format!("unnamed {t:?}"),
            },
        }
    }
}
