//! E-mail templates: a subject, a plain-text part and an HTML part from an outbox row's data.

use serde_json::Value;

/// A rendered e-mail.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

/// Why a row cannot be rendered (never worth retrying).
#[derive(Debug, thiserror::Error)]
#[error("cannot render template {template}: {reason}")]
pub struct RenderError {
    /// The template name.
    pub template: String,
    /// What is missing.
    pub reason: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn field<'a>(template: &str, data: &'a Value, key: &str) -> Result<&'a str, RenderError> {
    data.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| RenderError {
            template: template.to_owned(),
            reason: format!("data has no text field {key:?}"),
        })
}

fn page(title: &str, body: &str, link: &str, action: &str) -> String {
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;max-width:36em\">\
         <h2>{}</h2>{body}<p><a href=\"{}\">{}</a></p>\
         <p style=\"color:#777;font-size:small\">Sent by perfcycle.</p></body></html>",
        escape(title),
        escape(link),
        escape(action)
    )
}

/// Renders `template` with `data`; links point into the frontend at `app_url`.
pub fn render(template: &str, data: &Value, app_url: &str) -> Result<Rendered, RenderError> {
    let app = app_url.trim_end_matches('/');
    match template {
        "checkin_reminder" => {
            let name = field(template, data, "name")?;
            let (start, end) = (
                field(template, data, "periodStart")?,
                field(template, data, "periodEnd")?,
            );
            let id = field(template, data, "checkInId")?;
            let goals: Vec<&str> = data
                .get("goals")
                .and_then(Value::as_array)
                .map(|g| g.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let link = format!("{app}/check-ins/{id}");
            let goal_lines = if goals.is_empty() {
                "You have no agreed goals yet; this is a good moment to propose some.".to_owned()
            } else {
                goals
                    .iter()
                    .map(|g| format!("  - {g}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let goal_html = if goals.is_empty() {
                "<p>You have no agreed goals yet; this is a good moment to propose some.</p>"
                    .to_owned()
            } else {
                format!(
                    "<ul>{}</ul>",
                    goals
                        .iter()
                        .map(|g| format!("<li>{}</li>", escape(g)))
                        .collect::<String>()
                )
            };
            Ok(Rendered {
                subject: format!("Your check-in for {start} to {end} is due"),
                text: format!(
                    "Hi {name},\n\nyour check-in for {start} to {end} is due. Your goals:\n{goal_lines}\n\n\
                     Tell your manager how they are going: {link}\n"
                ),
                html: page(
                    &format!("Hi {name}, your check-in is due"),
                    &format!(
                        "<p>Your check-in for {start} to {end} is due. Your goals:</p>{goal_html}"
                    ),
                    &link,
                    "Write your check-in",
                ),
            })
        }
        "checkin_missed" => {
            let name = field(template, data, "name")?;
            let who = field(template, data, "employeeName")?;
            let (start, end) = (
                field(template, data, "periodStart")?,
                field(template, data, "periodEnd")?,
            );
            let id = field(template, data, "employeeId")?;
            let link = format!("{app}/people/{id}/check-ins");
            Ok(Rendered {
                subject: format!("{who} missed the check-in for {start} to {end}"),
                text: format!(
                    "Hi {name},\n\n{who} did not submit the check-in for {start} to {end}.\n\
                     It may be worth a conversation: {link}\n"
                ),
                html: page(
                    &format!("{who} missed a check-in"),
                    &format!(
                        "<p>Hi {}, {} did not submit the check-in for {start} to {end}.</p>",
                        escape(name),
                        escape(who)
                    ),
                    &link,
                    "See their check-ins",
                ),
            })
        }
        "goal_proposed" | "goal_agreed" | "goal_target_revised" => {
            let name = field(template, data, "name")?;
            let title = field(template, data, "goalTitle")?;
            let owner = field(template, data, "ownerName")?;
            let id = field(template, data, "goalId")?;
            let link = format!("{app}/goals/{id}");
            let (subject, line) = match template {
                "goal_proposed" => (
                    format!("{owner} proposed a goal: {title}"),
                    format!("{owner} proposed the goal \"{title}\" and asks you to agree it."),
                ),
                "goal_agreed" => {
                    let by = field(template, data, "agreedBy")?;
                    (
                        format!("Your goal is agreed: {title}"),
                        format!("{by} agreed your goal \"{title}\"."),
                    )
                }
                _ => {
                    let by = field(template, data, "revisedBy")?;
                    let metric = field(template, data, "metric")?;
                    let (old, new) = (
                        field(template, data, "oldTarget")?,
                        field(template, data, "newTarget")?,
                    );
                    let reason = field(template, data, "reason")?;
                    (
                        format!("New target for {title}"),
                        format!(
                            "{by} moved the target of \"{metric}\" in \"{title}\" from {old} to {new}: {reason}"
                        ),
                    )
                }
            };
            Ok(Rendered {
                subject,
                text: format!("Hi {name},\n\n{line}\n\n{link}\n"),
                html: page(
                    &format!("Hi {name}"),
                    &format!("<p>{}</p>", escape(&line)),
                    &link,
                    "Open the goal",
                ),
            })
        }
        other => Err(RenderError {
            template: other.to_owned(),
            reason: "unknown template".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_reminder_names_the_person_the_period_and_the_goals_and_links_to_the_app() {
        let data = json!({ "name": "Ada <3", "checkInId": "c1", "periodStart": "2027-03-01", "periodEnd": "2027-03-07", "goals": ["Ship it"] });
        let r = render("checkin_reminder", &data, "https://app.example/")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.subject.contains("2027-03-01"));
        assert!(
            r.text.contains("Ada <3")
                && r.text.contains("Ship it")
                && r.text.contains("https://app.example/check-ins/c1")
        );
        assert!(r.html.contains("Ada &lt;3") && r.html.contains("<li>Ship it</li>"));
    }

    #[test]
    fn missing_data_is_an_error_not_a_blank_email() {
        assert!(render("checkin_reminder", &json!({}), "http://x").is_err());
        assert!(render("nope", &json!({}), "http://x").is_err());
    }
}
