//! TOML files the operator lays over built-in ones, merged value by value
//! before they are read, so that whatever is wrong is still reported at its
//! own file, line and column.
//!
//! Merge rules: a table merges key by key; an array of tables whose entries
//! carry their key fields (`KEYED`) replaces the built-in entry with the same
//! key and adds the others after the built-in ones; anything else (a string,
//! a number, a plain array) replaces the built-in value whole.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::registry::located;

/// The fields that say which built-in entry an overlay entry replaces, by
/// the name of its array of tables.
const KEYED: &[(&str, &[&str])] = &[
    ("route", &["from", "to"]),
    ("mount", &["service"]),
    ("model", &["server"]),
    ("import", &["service", "module"]),
    ("drill", &["target"]),
    ("validator", &["name"]),
    ("check", &["id"]),
];

/// The texts a merged document was made from. Each is given its own range
/// of offsets, so that a span in the merged document names one file.
#[derive(Default)]
pub(crate) struct Sources<'t> {
    files: Vec<(String, &'t str, usize)>,
    end: usize,
}

impl<'t> Sources<'t> {
    /// `text`, read from `origin`, parsed; its spans are moved into the
    /// range of offsets this file is given.
    pub(crate) fn parse(&mut self, origin: &str, text: &'t str) -> Result<DeTable<'t>, String> {
        let table = DeTable::parse(text)
            .map_err(|e| located(origin, text, e.span(), e.message()))?
            .into_inner();
        let base = self.end;
        // One offset apart, so that the end of one file is not the start of the next.
        self.end += text.len() + 1;
        self.files.push((origin.to_owned(), text, base));
        Ok(shift_table(table, base))
    }

    /// `message` at `span` of the merged document: `origin:line:column: message`.
    pub(crate) fn locate(&self, span: Option<Range<usize>>, message: &str) -> String {
        let found = span.and_then(|span| {
            self.files
                .iter()
                .rev()
                .find(|(_, text, base)| (*base..=base + text.len()).contains(&span.start))
                .map(|(origin, text, base)| (origin, text, span.start - base..span.end - base))
        });
        match found {
            Some((origin, text, span)) => located(origin, text, Some(span), message),
            None => match self.files.last() {
                Some((origin, _, _)) => format!("{origin}: {message}"),
                None => message.to_owned(),
            },
        }
    }

    /// `T` read from `table`, an error located in the file it came from.
    pub(crate) fn read<T: DeserializeOwned>(&self, table: DeTable<'t>) -> Result<T, String> {
        let document = toml::de::Deserializer::from(Spanned::new(0..0, table));
        T::deserialize(document).map_err(|e| self.locate(e.span(), e.message()))
    }
}

fn shift<'i>(value: Spanned<DeValue<'i>>, by: usize) -> Spanned<DeValue<'i>> {
    let span = value.span();
    let value = match value.into_inner() {
        DeValue::Table(table) => DeValue::Table(shift_table(table, by)),
        DeValue::Array(array) => DeValue::Array(array.into_iter().map(|v| shift(v, by)).collect()),
        other => other,
    };
    Spanned::new(span.start + by..span.end + by, value)
}

fn shift_table(table: DeTable<'_>, by: usize) -> DeTable<'_> {
    table
        .into_iter()
        .map(|(key, value)| {
            let span = key.span();
            (
                Spanned::new(span.start + by..span.end + by, key.into_inner()),
                shift(value, by),
            )
        })
        .collect()
}

/// Lays `overlay` over `base`, by the rules at the top of this file.
pub(crate) fn merge<'i>(base: &mut DeTable<'i>, overlay: DeTable<'i>) {
    for (key, value) in overlay {
        let keyed = KEYED
            .iter()
            .find(|(name, _)| *name == key.get_ref().as_ref())
            .map(|(_, fields)| *fields);
        match (base.get_mut(key.get_ref().as_ref()), value.into_inner()) {
            (Some(existing), DeValue::Table(table)) if existing.get_ref().is_table() => {
                if let DeValue::Table(inner) = existing.get_mut() {
                    merge(inner, table);
                }
            }
            (Some(existing), DeValue::Array(entries)) if keyed.is_some() => {
                if let (DeValue::Array(built_in), Some(fields)) = (existing.get_mut(), keyed) {
                    merge_entries(built_in, entries, fields);
                }
            }
            (_, value) => {
                let span = key.span();
                base.insert(key, Spanned::new(span, value));
            }
        }
    }
}

/// Each overlay entry replaces the entry with its key, or is added.
fn merge_entries<'i>(
    base: &mut toml::de::DeArray<'i>,
    overlay: toml::de::DeArray<'i>,
    fields: &[&str],
) {
    let key_of = |entry: &Spanned<DeValue<'_>>| -> Option<Vec<String>> {
        let table = entry.get_ref().as_table()?;
        fields
            .iter()
            .map(|f| Some(table.get(*f)?.get_ref().as_str()?.to_owned()))
            .collect()
    };
    for entry in overlay {
        let replaced = key_of(&entry).and_then(|key| {
            base.iter()
                .position(|existing| key_of(existing).as_ref() == Some(&key))
        });
        match replaced {
            Some(index) => base.as_mut()[index] = entry,
            None => base.push(entry),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        limit: i64,
        name: String,
        inner: Inner,
        #[serde(default)]
        route: Vec<Route>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: i64,
        b: Vec<String>,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Route {
        from: String,
        to: String,
        url: String,
    }

    const BUILT_IN: &str = "limit = 5\nname = \"gaia\"\n[inner]\na = 1\nb = [\"x\", \"y\"]\n\n\
        [[route]]\nfrom = \"web\"\nto = \"core\"\nurl = \"http://core/\"\n\n\
        [[route]]\nfrom = \"core\"\nto = \"mcp\"\nurl = \"http://mcp/\"\n";

    fn merged(overlay: &str) -> Result<Doc, String> {
        let mut sources = Sources::default();
        let mut base = sources.parse("checks/doc.toml", BUILT_IN)?;
        let over = sources.parse("over/doc.toml", overlay)?;
        merge(&mut base, over);
        sources.read(base)
    }

    #[test]
    fn scalars_and_plain_arrays_replace_tables_merge_and_entries_replace_by_key() {
        let doc = merged(
            "limit = 9\n[inner]\nb = [\"z\"]\n\n\
             [[route]]\nfrom = \"core\"\nto = \"mcp\"\nurl = \"http://mcp:1/\"\n\n\
             [[route]]\nfrom = \"web\"\nto = \"wiki\"\nurl = \"http://wiki/\"\n",
        )
        .unwrap();
        assert_eq!((doc.limit, doc.name.as_str()), (9, "gaia"));
        assert_eq!((doc.inner.a, doc.inner.b), (1, vec!["z".to_owned()]));
        let urls: Vec<&str> = doc.route.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["http://core/", "http://mcp:1/", "http://wiki/"]);
    }

    #[test]
    fn an_error_in_the_overlay_names_the_overlay_and_an_error_in_the_built_in_the_built_in() {
        let err = merged("\n[inner]\nc = 1\n").unwrap_err();
        assert!(err.starts_with("over/doc.toml:3:1: "), "{err}");
        let err = merged("limit = \"many\"\n").unwrap_err();
        assert!(err.starts_with("over/doc.toml:1:"), "{err}");
        let err = merged("[[route]]\nfrom = \"a\"\nto = \"b\"\n").unwrap_err();
        assert!(err.starts_with("over/doc.toml:"), "{err}");
        assert!(err.contains("url"), "{err}");
        let err = merged("limit = = 1").unwrap_err();
        assert!(err.starts_with("over/doc.toml:1:"), "{err}");
    }
}
