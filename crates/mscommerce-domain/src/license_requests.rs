//! License requests: a member the policy keeps from buying a product asks an admin for a license; an admin
//! approves (licenses from a central subscription) or denies, once; everyone included is told.

use crate::acquisition::{Decision, Refusal};

/// A request's message, an answer's message and a share's message have at most this many characters.
pub const MAX_REQUEST_MESSAGE: usize = 1000;
/// A request includes at most this many users besides its requester, as many as one assignment takes at a time.
pub const MAX_REQUEST_USERS: usize = crate::subscription::MAX_USERS_PER_REQUEST - 1;
/// A request is shared with at most this many decision makers at once.
pub const MAX_SHARE_RECIPIENTS: usize = 10;
/// How long answered requests are kept, unless configured otherwise: 12 months.
pub const LICENSE_REQUEST_RETENTION_DAYS: u64 = 365;

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 3] = [
        RequestStatus::Pending,
        RequestStatus::Approved,
        RequestStatus::Denied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "Pending",
            RequestStatus::Approved => "Approved",
            RequestStatus::Denied => "Denied",
        }
    }

    pub fn parse(text: &str) -> Option<RequestStatus> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// What the answer gave one user of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserOutcome {
    Pending,
    Approved,
    /// The request was approved for others, not for this user.
    NotApproved,
    Denied,
}

impl UserOutcome {
    pub const ALL: [UserOutcome; 4] = [
        UserOutcome::Pending,
        UserOutcome::Approved,
        UserOutcome::NotApproved,
        UserOutcome::Denied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserOutcome::Pending => "Pending",
            UserOutcome::Approved => "Approved",
            UserOutcome::NotApproved => "NotApproved",
            UserOutcome::Denied => "Denied",
        }
    }

    pub fn parse(text: &str) -> Option<UserOutcome> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFilter {
    Pending,
    /// Approved or denied.
    Completed,
    All,
}

impl RequestFilter {
    pub fn parse(text: &str) -> Option<RequestFilter> {
        match text.trim().to_ascii_lowercase().as_str() {
            "pending" => Some(RequestFilter::Pending),
            "completed" => Some(RequestFilter::Completed),
            "all" => Some(RequestFilter::All),
            _ => None,
        }
    }
}

/// Whether a refused acquisition is one a license request answers: the organization's policy said no. A guest, a
/// disabled account or a product that cannot be bought this way are refusals no admin's license changes.
pub fn request_possible(decision: &Decision) -> bool {
    matches!(
        decision.refusal,
        Some(Refusal::BlockedByPolicy | Refusal::OnlyTrialsWithoutPaymentMethodAllowed)
    )
}

/// A message's text as kept: trimmed, blank as none, at most [`MAX_REQUEST_MESSAGE`] characters.
pub fn check_message(message: Option<&str>) -> Result<Option<String>, MessageTooLong> {
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    match message {
        Some(m) if m.chars().count() > MAX_REQUEST_MESSAGE => Err(MessageTooLong),
        other => Ok(other.map(str::to_string)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("A message has at most {MAX_REQUEST_MESSAGE} characters.")]
pub struct MessageTooLong;

/// The organization's own request process, when it takes requests elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestProcess {
    pub use_organization_process: bool,
    pub message: Option<String>,
    pub link: Option<String>,
}

/// The longest link to an organization's request process.
pub const MAX_PROCESS_LINK: usize = 2048;

/// Why an organization's request process cannot be saved as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    #[error(
        "The link must be an https:// or http:// address of at most {MAX_PROCESS_LINK} characters."
    )]
    InvalidLink,
    #[error("With useOrganizationProcess true, give a message or a link that tells people where to ask.")]
    NothingToShow,
    #[error("A message has at most {MAX_REQUEST_MESSAGE} characters.")]
    MessageTooLong,
}

impl RequestProcess {
    /// The process as asked, checked: a link is an http(s) address people can open; turning the process on needs
    /// something to show them instead of the Request license button.
    pub fn checked(
        use_organization_process: bool,
        message: Option<&str>,
        link: Option<&str>,
    ) -> Result<RequestProcess, ProcessError> {
        let message = check_message(message).map_err(|_| ProcessError::MessageTooLong)?;
        let link = link.map(str::trim).filter(|l| !l.is_empty());
        if let Some(link) = link {
            let scheme_ok = link.starts_with("https://") || link.starts_with("http://");
            if !scheme_ok
                || link.len() > MAX_PROCESS_LINK
                || link.bytes().any(|b| b <= b' ' || b == 0x7f)
            {
                return Err(ProcessError::InvalidLink);
            }
        }
        if use_organization_process && message.is_none() && link.is_none() {
            return Err(ProcessError::NothingToShow);
        }
        Ok(RequestProcess {
            use_organization_process,
            message,
            link: link.map(str::to_string),
        })
    }

    /// What a refused member reads instead of being offered a request.
    pub fn instructions(&self) -> String {
        match (&self.message, &self.link) {
            (Some(message), Some(link)) => format!("{message} {link}"),
            (Some(message), None) => message.clone(),
            (None, Some(link)) => format!("Ask for a license here: {link}"),
            (None, None) => "Ask your organization's IT department for a license.".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PolicyValue;

    fn decision(refusal: Option<Refusal>) -> Decision {
        Decision {
            allowed: refusal.is_none(),
            policy_value: PolicyValue::Disabled,
            refusal,
            reason: String::new(),
        }
    }

    #[test]
    fn only_the_policys_refusals_can_be_requested() {
        assert!(request_possible(&decision(Some(Refusal::BlockedByPolicy))));
        assert!(request_possible(&decision(Some(
            Refusal::OnlyTrialsWithoutPaymentMethodAllowed
        ))));
        for other in [
            None,
            Some(Refusal::GuestCannotAcquire),
            Some(Refusal::AccountDisabled),
            Some(Refusal::PurchaseNotOffered),
        ] {
            assert!(!request_possible(&decision(other)), "{other:?}");
        }
    }

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(check_message(Some("  ")), Ok(None));
        assert_eq!(check_message(Some(" hi ")), Ok(Some("hi".into())));
        assert_eq!(
            check_message(Some(&"é".repeat(MAX_REQUEST_MESSAGE))),
            Ok(Some("é".repeat(MAX_REQUEST_MESSAGE)))
        );
        assert_eq!(
            check_message(Some(&"x".repeat(MAX_REQUEST_MESSAGE + 1))),
            Err(MessageTooLong)
        );
    }

    #[test]
    fn an_organization_process_needs_something_to_show_and_a_real_link() {
        assert_eq!(
            RequestProcess::checked(true, None, None),
            Err(ProcessError::NothingToShow)
        );
        for bad in ["javascript:alert(1)", "ftp://x", "https://a b", "/relative"] {
            assert_eq!(
                RequestProcess::checked(false, None, Some(bad)),
                Err(ProcessError::InvalidLink),
                "{bad}"
            );
        }
        let process = RequestProcess::checked(
            true,
            Some("Use the portal."),
            Some("https://it.contoso.example/ask"),
        )
        .unwrap();
        assert_eq!(
            process.instructions(),
            "Use the portal. https://it.contoso.example/ask"
        );
        assert!(RequestProcess::checked(false, None, None).is_ok());
    }

    #[test]
    fn statuses_and_filters_read_in_any_case() {
        assert_eq!(
            RequestStatus::parse("pending"),
            Some(RequestStatus::Pending)
        );
        assert_eq!(
            UserOutcome::parse("NOTAPPROVED"),
            Some(UserOutcome::NotApproved)
        );
        assert_eq!(
            RequestFilter::parse("Completed"),
            Some(RequestFilter::Completed)
        );
        assert_eq!(RequestFilter::parse("open"), None);
    }
}
