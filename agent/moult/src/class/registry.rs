//! The registry of tracked classes, by name, in the app's runtime.
//!
//! The first `Class` static used under a name registers it (normally the
//! app's); a duplicate static of the same name in an update library resolves
//! to that record, provided its value and argument types are the same.

use std::any::Any;
use std::collections::HashMap;
use std::sync::RwLock;

use moult_protocol::ClassInfo;

use super::Class;
use super::record::{ClassCore, ClassRef};
use crate::{Error, Runtime};

/// What the registry needs from a class without knowing its types.
pub(crate) trait ClassEntry: Send + Sync {
    /// `Class<T, A>` as written by `type_name`, for mismatch messages.
    fn types(&self) -> String;
    /// Versions, live counts, pending lazy conversions.
    fn info(&self) -> ClassInfo;
    /// Calls `visit(class, version, value)` for each live instance; returns how many.
    fn visit(&'static self, visit: &mut dyn FnMut(&str, u32, &dyn Any)) -> u64;
    /// Converts every instance with a pending lazy conversion now.
    fn convert_pending(&'static self) -> u64;
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> ClassEntry for ClassCore<T, A> {
    fn types(&self) -> String {
        type_names::<T, A>()
    }
    fn info(&self) -> ClassInfo {
        self.state.info()
    }
    fn visit(&'static self, visit: &mut dyn FnMut(&str, u32, &dyn Any)) -> u64 {
        self.state.visit(visit)
    }
    fn convert_pending(&'static self) -> u64 {
        self.state.convert_pending()
    }
}

fn type_names<T: ?Sized, A>() -> String {
    format!(
        "Class<{}, {}>",
        std::any::type_name::<T>(),
        std::any::type_name::<A>()
    )
}

/// One registered class: erased for listing, `Any` for typed lookup.
#[derive(Clone, Copy)]
struct Registered {
    entry: &'static dyn ClassEntry,
    any: &'static (dyn Any + Send + Sync),
}

/// All tracked classes of the app.
#[derive(Default)]
pub(crate) struct ClassRegistry {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    /// In registration order (what the console lists).
    all: Vec<Registered>,
    by_name: HashMap<&'static str, usize>,
}

impl ClassRegistry {
    /// The record for `class`'s name: registered now from `class` if the name
    /// is new, else the existing one if its types match.
    pub(crate) fn resolve_static<T, A>(
        &self,
        class: &'static Class<T, A>,
    ) -> Result<&'static ClassCore<T, A>, Error>
    where
        T: ?Sized + Send + Sync + 'static,
        A: 'static,
    {
        match self.by_name::<T, A>(class.name) {
            Err(Error::UnknownClass { .. }) => {}
            found => return found,
        }
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if inner.by_name.contains_key(class.name) {
            drop(inner);
            return self.by_name::<T, A>(class.name); // raced with another registrant
        }
        let core: &'static ClassCore<T, A> = Box::leak(Box::new(ClassCore::new(class)));
        let index = inner.all.len();
        inner.by_name.insert(class.name, index);
        inner.all.push(Registered {
            entry: core,
            any: core,
        });
        Ok(core)
    }

    /// The class `name`, if its types are `T` and `A`.
    pub(crate) fn by_name<T, A>(&self, name: &str) -> Result<&'static ClassCore<T, A>, Error>
    where
        T: ?Sized + Send + Sync + 'static,
        A: 'static,
    {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let Some(&i) = inner.by_name.get(name) else {
            let mut known: Vec<&str> = inner.by_name.keys().copied().collect();
            known.sort_unstable();
            return Err(Error::UnknownClass {
                name: name.into(),
                known: if known.is_empty() {
                    "(no class registered yet: a class registers on its first use)".into()
                } else {
                    known.join(", ")
                },
            });
        };
        let found = inner.all[i];
        let any: &'static dyn Any = found.any;
        any.downcast_ref::<ClassCore<T, A>>().ok_or_else(|| {
            let (app, update) = (found.entry.types(), type_names::<T, A>());
            if app == update {
                Error::BuiltApart {
                    item: format!("class `{name}`"),
                }
            } else {
                Error::ClassTypeMismatch {
                    name: name.into(),
                    app,
                    update,
                }
            }
        })
    }

    /// Every class, in registration order.
    fn all(&self) -> Vec<&'static dyn ClassEntry> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.all.iter().map(|r| r.entry).collect()
    }

    fn find(&self, name: &str) -> Result<&'static dyn ClassEntry, Error> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        match inner.by_name.get(name) {
            Some(&i) => Ok(inner.all[i].entry),
            None => {
                let mut known: Vec<&str> = inner.by_name.keys().copied().collect();
                known.sort_unstable();
                Err(Error::UnknownClass {
                    name: name.into(),
                    known: known.join(", "),
                })
            }
        }
    }
}

impl Runtime {
    /// Every tracked class: versions, live instances per version, pending
    /// lazy conversions (what the console's class pane shows).
    pub fn classes(&self) -> Vec<ClassInfo> {
        self.classes.all().into_iter().map(|c| c.info()).collect()
    }

    /// Converts now every instance of class `name` that a pending lazy
    /// conversion would convert on its next access (the console's "trigger
    /// conversion"); returns how many changed version.
    pub fn convert_pending(&self, name: &str) -> Result<u64, Error> {
        Ok(self.classes.find(name)?.convert_pending())
    }

    /// Calls `visit(class, version, value)` for every live instance of every
    /// class (Pymoult's `HeapWalker`); returns how many were visited. Values
    /// are seen as they are (a pending lazy conversion is not made), each
    /// under its read lock. No class-wide lock is held while `visit` runs.
    pub fn visit_instances(&self, visit: &mut dyn FnMut(&str, u32, &dyn Any)) -> u64 {
        self.classes.all().into_iter().map(|c| c.visit(visit)).sum()
    }
}

/// What conversion APIs accept as "the class": its static (`&DATA`), a
/// [`ClassRef`], or its name (`"app::Data"`, checked against `T` and `A`).
pub trait AsClass<T: ?Sized + 'static, A: 'static>: Send + 'static {
    /// The class's name, without resolving it.
    fn class_name(&self) -> &str;
    /// The app's registered class.
    fn resolve(&self) -> Result<ClassRef<T, A>, Error>;
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> AsClass<T, A> for &'static Class<T, A> {
    fn class_name(&self) -> &str {
        self.name
    }
    fn resolve(&self) -> Result<ClassRef<T, A>, Error> {
        self.handle()
    }
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> AsClass<T, A> for ClassRef<T, A> {
    fn class_name(&self) -> &str {
        self.name()
    }
    fn resolve(&self) -> Result<ClassRef<T, A>, Error> {
        Ok(*self)
    }
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> AsClass<T, A> for &'static str {
    fn class_name(&self) -> &str {
        self
    }
    fn resolve(&self) -> Result<ClassRef<T, A>, Error> {
        Class::<T, A>::by_name(self)
    }
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> AsClass<T, A> for String {
    fn class_name(&self) -> &str {
        self
    }
    fn resolve(&self) -> Result<ClassRef<T, A>, Error> {
        Class::<T, A>::by_name(self)
    }
}
