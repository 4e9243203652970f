//! Conditional requests (RFC 9110 section 13.1): whether a change may proceed given the request's `If-Match` and
//! `If-None-Match` and the version the resource holds now. A resource's entity tag is its version in quotes
//! (`"3"`), always strong.

/// The entity tag of `version`: `"3"`.
pub fn entity_tag(version: i64) -> String {
    format!("\"{version}\"")
}

/// One member of an `If-Match` or `If-None-Match` list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Member {
    /// `"3"`, or with `weak` `W/"3"`: the opaque part between the quotes.
    Tag { weak: bool, opaque: String },
    /// Text that is not an entity tag: it matches nothing.
    Malformed,
}

/// A header's value: `*` or a list of entity tags.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    Any,
    Members(Vec<Member>),
}

impl Condition {
    /// Reads `*` or `#entity-tag` (RFC 9110 section 8.8.3). Commas may stand inside the quotes of a tag, so the
    /// list is read tag by tag, not split on commas; a member that is no entity tag is kept as one that matches
    /// nothing (so `If-Match: nonsense` fails as a precondition, and says so, instead of being ignored).
    fn parse(text: &str) -> Condition {
        let text = text.trim();
        if text == "*" {
            return Condition::Any;
        }
        let mut members = Vec::new();
        let mut rest = text;
        loop {
            rest = rest.trim_start_matches([',', ' ', '\t']);
            if rest.is_empty() {
                break;
            }
            let (weak, tagged) = match rest.strip_prefix("W/") {
                Some(after) => (true, after),
                None => (false, rest),
            };
            let closed = tagged.strip_prefix('"').and_then(|inside| {
                inside
                    .find('"')
                    .map(|end| (&inside[..end], &inside[end + 1..]))
            });
            match closed {
                Some((opaque, after))
                    if after.trim_start().is_empty() || after.trim_start().starts_with(',') =>
                {
                    members.push(Member::Tag {
                        weak,
                        opaque: opaque.to_string(),
                    });
                    rest = after;
                }
                _ => {
                    members.push(Member::Malformed);
                    rest = rest.find(',').map_or("", |comma| &rest[comma..]);
                }
            }
        }
        Condition::Members(members)
    }

    /// Whether the condition names the current entity tag (the resource exists). `strong`: RFC 9110's strong
    /// comparison (If-Match), under which a weak tag never matches; otherwise the weak one (If-None-Match).
    fn names(&self, current_opaque: &str, strong: bool) -> bool {
        match self {
            Condition::Any => true,
            Condition::Members(members) => members.iter().any(|member| match member {
                Member::Tag { weak, opaque } => opaque == current_opaque && !(strong && *weak),
                Member::Malformed => false,
            }),
        }
    }
}

/// The preconditions of a request that changes a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preconditions {
    if_match: Option<Condition>,
    if_none_match: Option<Condition>,
}

impl Preconditions {
    /// From the headers' values, each absent when the request does not send it.
    pub fn parse(if_match: Option<&str>, if_none_match: Option<&str>) -> Preconditions {
        Preconditions {
            if_match: if_match.map(Condition::parse),
            if_none_match: if_none_match.map(Condition::parse),
        }
    }

    /// Whether the request states no precondition at all (as Microsoft's clients send it).
    pub fn is_empty(&self) -> bool {
        self.if_match.is_none() && self.if_none_match.is_none()
    }

    /// Whether the outcome depends on which version the resource holds, not only on its existence: then a change
    /// must be made from exactly the version the preconditions were evaluated against.
    pub fn names_versions(&self) -> bool {
        [&self.if_match, &self.if_none_match]
            .into_iter()
            .any(|condition| matches!(condition, Some(Condition::Members(_))))
    }

    /// The one rule: whether a change of an existing resource whose current version is `version` may proceed.
    /// `If-Match` holds when it is `*` or lists the current entity tag, compared strongly (a weak tag never
    /// matches); `If-None-Match` holds when it is not `*` and does not list the current entity tag, compared
    /// weakly (RFC 9110 sections 13.1.1 and 13.1.2; the resource exists, so `If-None-Match: *` fails).
    pub fn hold_for(&self, version: i64) -> bool {
        let current = version.to_string();
        let if_match = self
            .if_match
            .as_ref()
            .is_none_or(|condition| condition.names(&current, true));
        let if_none_match = self
            .if_none_match
            .as_ref()
            .is_none_or(|condition| !condition.names(&current, false));
        if_match && if_none_match
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(text: &str) -> Preconditions {
        Preconditions::parse(Some(text), None)
    }

    fn if_none_match(text: &str) -> Preconditions {
        Preconditions::parse(None, Some(text))
    }

    #[test]
    fn no_header_holds_for_every_version() {
        let none = Preconditions::parse(None, None);
        assert!(none.is_empty());
        assert!(!none.names_versions());
        assert!(none.hold_for(0) && none.hold_for(7));
    }

    #[test]
    fn if_match_compares_strongly() {
        assert!(if_match("\"7\"").hold_for(7));
        assert!(!if_match("\"7\"").hold_for(8));
        assert!(!if_match("W/\"7\"").hold_for(7), "a weak tag never matches");
        assert!(if_match("*").hold_for(7));
        assert!(!if_match("*").names_versions());
        assert!(if_match("\"7\"").names_versions());
    }

    #[test]
    fn if_match_lists_match_when_any_member_matches() {
        assert!(if_match("\"1\", \"7\"").hold_for(7));
        assert!(if_match("\"7\",\"1\"").hold_for(7));
        assert!(if_match("W/\"1\" ,\t\"7\"").hold_for(7));
        assert!(!if_match("\"1\", W/\"7\"").hold_for(7));
        assert!(!if_match("\"1\", \"2\"").hold_for(7));
        assert!(
            if_match("\"a,b\", \"7\"").hold_for(7),
            "a comma inside quotes is part of the tag"
        );
        assert!(!if_match("\"a,7\"").hold_for(7));
    }

    #[test]
    fn text_that_is_no_entity_tag_matches_nothing() {
        for text in ["nonsense", "7", "\"7", "\"7\"x", "", ",", "W/7"] {
            assert!(!if_match(text).hold_for(7), "{text:?}");
        }
        assert!(
            if_match("nonsense, \"7\"").hold_for(7),
            "the well-formed member still counts"
        );
    }

    #[test]
    fn if_none_match_fails_on_a_listed_or_any_existing_version() {
        assert!(!if_none_match("*").hold_for(0));
        assert!(!if_none_match("\"7\"").hold_for(7));
        assert!(
            !if_none_match("W/\"7\"").hold_for(7),
            "If-None-Match compares weakly"
        );
        assert!(if_none_match("\"6\", \"8\"").hold_for(7));
        assert!(if_none_match("\"6\"").names_versions());
    }

    #[test]
    fn both_headers_must_hold() {
        let both = Preconditions::parse(Some("\"7\""), Some("*"));
        assert!(!both.hold_for(7));
        let both = Preconditions::parse(Some("\"7\""), Some("\"6\""));
        assert!(both.hold_for(7));
    }

    #[test]
    fn entity_tags_are_the_version_in_quotes() {
        assert_eq!(entity_tag(3), "\"3\"");
        assert!(if_match(&entity_tag(42)).hold_for(42));
    }
}
