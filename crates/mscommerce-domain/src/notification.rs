//! The emails the service sends, as plain text and HTML. Every message names the product, the subscription, the
//! purchaser, who acted, the reason and when.

/// A composed email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What every message states.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub product: &'a str,
    pub subscription_id: &'a str,
    pub purchaser_upn: &'a str,
    pub purchaser_name: &'a str,
    /// Who acted: the purchaser, or the admin.
    pub actor: &'a str,
    pub reason: &'a str,
    /// RFC 3339, UTC.
    pub when: &'a str,
}

/// Text made safe inside HTML elements and double-quoted attributes (emails' HTML parts, the service's pages).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn compose(kind: &'static str, facts: &Facts<'_>, subject: String, lead: String) -> Email {
    let rows = [
        ("Product", facts.product),
        ("Subscription", facts.subscription_id),
        ("Purchaser", facts.purchaser_upn),
        ("By", facts.actor),
        ("Reason", facts.reason),
        ("When", facts.when),
    ];
    compose_rows(
        kind,
        (facts.purchaser_upn, facts.purchaser_name),
        subject,
        lead,
        &rows,
    )
}

/// A message to `recipient` (sign-in name, display name): the greeting, the lead, and a table of facts.
fn compose_rows(
    kind: &'static str,
    (recipient, name): (&str, &str),
    subject: String,
    lead: String,
    rows: &[(&str, &str)],
) -> Email {
    let mut text = format!("Hello {name},\n\n{lead}\n\n");
    let mut html = format!(
        "<!DOCTYPE html><html><body><p>Hello {},</p><p>{}</p><table>",
        escape_html(name),
        escape_html(&lead)
    );
    for (label, value) in rows {
        text.push_str(&format!("{label}: {value}\n"));
        html.push_str(&format!(
            "<tr><th align=\"left\">{label}</th><td>{}</td></tr>",
            escape_html(value)
        ));
    }
    text.push_str(
        "\nThis message was sent by your organization's Microsoft 365 commerce service.\n",
    );
    html.push_str("</table><p>This message was sent by your organization's Microsoft 365 commerce service.</p></body></html>");
    Email {
        kind,
        recipient: recipient.to_string(),
        subject,
        text,
        html,
    }
}

/// What a message about a license request states.
#[derive(Debug, Clone)]
pub struct RequestFacts<'a> {
    pub product: &'a str,
    pub request_id: &'a str,
    pub requester_upn: &'a str,
    /// Who answered or shared it.
    pub actor: &'a str,
    /// The admin's own words, if any.
    pub message: Option<&'a str>,
    /// RFC 3339, UTC.
    pub when: &'a str,
}

impl RequestFacts<'_> {
    fn rows(&self) -> Vec<(&str, &str)> {
        let mut rows = vec![
            ("Product", self.product),
            ("Request", self.request_id),
            ("Requested by", self.requester_upn),
            ("By", self.actor),
            ("When", self.when),
        ];
        if let Some(message) = self.message {
            rows.push(("Message", message));
        }
        rows
    }
}

/// To every user of a request an admin approved (or approved for others): whether they got a license.
pub fn license_request_approved(
    facts: &RequestFacts<'_>,
    recipient: (&str, &str),
    licensed: bool,
) -> Email {
    let lead = match (facts.message, licensed) {
        (Some(message), _) => message.to_string(),
        (None, true) => format!(
            "Your request for {} was approved: you have a license now. It may take a few minutes to appear in \
             your apps.",
            facts.product
        ),
        (None, false) => format!(
            "The request for {} that included you was approved for others, not for you. Ask your admin if you \
             still need it.",
            facts.product
        ),
    };
    compose_rows(
        "LicenseRequestApproved",
        recipient,
        format!("Your request for {} was answered", facts.product),
        lead,
        &facts.rows(),
    )
}

/// To every user of a request an admin denied.
pub fn license_request_denied(facts: &RequestFacts<'_>, recipient: (&str, &str)) -> Email {
    let lead = facts.message.map(str::to_string).unwrap_or_else(|| {
        format!(
            "Your request for {} was denied by your admin. Ask them if you need to know why.",
            facts.product
        )
    });
    compose_rows(
        "LicenseRequestDenied",
        recipient,
        format!("Your request for {} was answered", facts.product),
        lead,
        &facts.rows(),
    )
}

/// To a decision maker an admin shared a request with.
pub fn license_request_shared(facts: &RequestFacts<'_>, recipient: (&str, &str)) -> Email {
    let lead = format!(
        "{} shared a license request with you: {} asks for {}.{}",
        facts.actor,
        facts.requester_upn,
        facts.product,
        facts
            .message
            .map(|m| format!(" Their note: {m}"))
            .unwrap_or_default()
    );
    compose_rows(
        "LicenseRequestShared",
        recipient,
        format!(
            "A license request for {} needs your decision",
            facts.product
        ),
        lead,
        &facts.rows(),
    )
}

/// To the purchaser, when their subscription takes a step of its life (`crate::lifecycle`); `until` is the new
/// end of its term (RFC 3339) for a renewal or a conversion.
pub fn lifecycle_changed(facts: &Facts<'_>, step: &crate::LifecycleStep, until: &str) -> Email {
    use crate::LifecycleStep::*;
    let product = facts.product;
    let (kind, subject, lead) = match step {
        Renew { .. } => (
            "SubscriptionRenewed",
            format!("Your subscription to {product} was renewed"),
            format!("Your subscription to {product} was renewed for another billing period, until {until}."),
        ),
        ConvertToPurchase { .. } => (
            "TrialConverted",
            format!("Your trial of {product} is now a paid subscription"),
            format!(
                "Your trial of {product} has ended and, as agreed when it started, became a paid subscription, \
                 billed to the payment method you gave, until {until}."
            ),
        ),
        Expire => (
            "SubscriptionExpired",
            format!("Your subscription to {product} has expired"),
            format!(
                "Your subscription to {product} has expired. Its users keep their licenses for a grace period; \
                 after it, they lose access."
            ),
        ),
        Disable => (
            "SubscriptionDisabled",
            format!("Your subscription to {product} is disabled"),
            format!(
                "Your subscription to {product} is disabled: its users no longer have licenses from it. Your \
                 admins can still reach its data until it is deleted."
            ),
        ),
        Delete => (
            "SubscriptionDeleted",
            format!("Your subscription to {product} was deleted"),
            format!("Your subscription to {product} was deleted, with its data. This cannot be undone."),
        ),
    };
    compose(kind, facts, subject, lead)
}

/// To the purchaser, when a purchase or trial starts.
pub fn acquisition_confirmed(facts: &Facts<'_>, is_trial: bool) -> Email {
    let (subject, lead) = if is_trial {
        (
            format!("Your trial of {} has started", facts.product),
            format!("Your trial of {} has started.", facts.product),
        )
    } else {
        (
            format!("Your purchase of {}", facts.product),
            format!(
                "Thank you for buying {}. Your subscription is active.",
                facts.product
            ),
        )
    };
    compose("AcquisitionConfirmed", facts, subject, lead)
}

/// To the purchaser, when they cancel their own subscription.
pub fn cancelled_by_purchaser(facts: &Facts<'_>) -> Email {
    compose(
        "SubscriptionCancelled",
        facts,
        format!("Your subscription to {} was cancelled", facts.product),
        format!(
            "You cancelled your subscription to {}. Its users no longer have licenses from it.",
            facts.product
        ),
    )
}

/// To the purchaser, when an admin cancels the subscription they bought.
pub fn cancelled_by_admin(facts: &Facts<'_>) -> Email {
    compose(
        "SubscriptionCancelledByAdmin",
        facts,
        format!("Your subscription to {} was cancelled by your admin", facts.product),
        format!(
            "An admin of your organization cancelled the subscription to {} that you bought. You will not be \
             charged for it again, and its users no longer have licenses from it.",
            facts.product
        ),
    )
}

/// To the purchaser, when an admin moves the users of their subscription to a central one and so cancels it.
pub fn users_moved_by_admin(facts: &Facts<'_>, target_product: &str) -> Email {
    compose(
        "SubscriptionTakenOver",
        facts,
        format!("Your subscription to {} was cancelled by your admin", facts.product),
        format!(
            "An admin of your organization moved the users of the subscription to {} that you bought to licenses \
             of {target_product} that the organization manages, and cancelled your subscription. You will not be \
             charged for it again; its users keep their access.",
            facts.product
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_state_every_fact_and_escape_html() {
        let facts = Facts {
            product: "Power BI Pro",
            subscription_id: "sub-1",
            purchaser_upn: "ann@contoso.test",
            purchaser_name: "Ann <Finance>",
            actor: "admin@contoso.test",
            reason: "DuplicatePurchase",
            when: "2026-11-25T07:00:00Z",
        };
        let email = cancelled_by_admin(&facts);
        assert_eq!(email.recipient, "ann@contoso.test");
        for fact in [
            "Power BI Pro",
            "sub-1",
            "ann@contoso.test",
            "admin@contoso.test",
            "DuplicatePurchase",
            "2026-11-25T07:00:00Z",
        ] {
            assert!(email.text.contains(fact), "{fact} in text");
            assert!(email.html.contains(fact), "{fact} in html");
        }
        assert!(email.html.contains("Ann &lt;Finance&gt;") && !email.html.contains("<Finance>"));
    }
}
