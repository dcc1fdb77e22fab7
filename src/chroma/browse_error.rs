//! Errors of browsing (databases, collections, records): the client's [`ChromaError`] plus the "does not exist"
//! answers of every server generation, normalised.

use super::error::{ChromaError, ErrorResponse};

/// A failed browsing call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowseError {
    /// The request failed or the server refused it (HTTP status and the server's message inside), e.g. an invalid
    /// `where` filter (400 on 1.x, 500 `ValueError(...)` on 0.4.x).
    #[error(transparent)]
    Chroma(Box<ChromaError>),
    /// The tenant does not exist.
    #[error("tenant {tenant:?} does not exist on this server")]
    TenantNotFound {
        /// The tenant asked for.
        tenant: String,
    },
    /// The database does not exist in the tenant.
    #[error("database {database:?} does not exist in tenant {tenant:?}")]
    DatabaseNotFound {
        /// The tenant.
        tenant: String,
        /// The database asked for.
        database: String,
    },
    /// No collection has this name or id in the database.
    #[error("no collection named or with id {collection:?} in {tenant}/{database}")]
    CollectionNotFound {
        /// The name or id asked for.
        collection: String,
        /// The tenant searched.
        tenant: String,
        /// The database searched.
        database: String,
    },
    /// The collection has no record with this id.
    #[error("collection {collection:?} has no record with id {id:?}")]
    RecordNotFound {
        /// The record id asked for.
        id: String,
        /// The collection's name.
        collection: String,
    },
    /// A walk over a paged list was stopped: a full page brought nothing new (the server ignores the offset), or
    /// the walk went past its limits ([`ClientOptions::max_walk_items`](super::ClientOptions::max_walk_items),
    /// [`ClientOptions::max_walk_duration`](super::ClientOptions::max_walk_duration)).
    #[error("listing the {what} was stopped after {items} of them: {reason}")]
    ListingCapped {
        /// What was listed: `collections`, `databases` or `records`.
        what: &'static str,
        /// How many distinct items had been listed.
        items: usize,
        /// Why, as the end of a sentence.
        reason: String,
    },
    /// The record exists but has no embedding, so nothing can be compared with it.
    #[error("record {id:?} of collection {collection:?} has no embedding")]
    NoEmbedding {
        /// The record id.
        id: String,
        /// The collection's name.
        collection: String,
    },
}

impl From<ChromaError> for BrowseError {
    fn from(err: ChromaError) -> Self {
        Self::Chroma(Box::new(err))
    }
}

impl BrowseError {
    /// The HTTP status, when the server answered with an error status.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Chroma(err) => err.status(),
            _ => None,
        }
    }

    /// The server's error response, when it answered with an error status.
    #[must_use]
    pub fn response(&self) -> Option<&ErrorResponse> {
        match self {
            Self::Chroma(err) => err.response(),
            _ => None,
        }
    }

    /// What the server said, readable: see [`server_message`].
    #[must_use]
    pub fn server_message(&self) -> Option<String> {
        self.response().map(server_message)
    }

    /// True for every "does not exist" outcome (tenant, database, collection, record, or a not-found status).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Chroma(err) => err.is_not_found(),
            Self::TenantNotFound { .. }
            | Self::DatabaseNotFound { .. }
            | Self::CollectionNotFound { .. }
            | Self::RecordNotFound { .. } => true,
            Self::NoEmbedding { .. } | Self::ListingCapped { .. } => false,
        }
    }
}

/// The server's message in plain words, whatever the generation's dialect:
/// 1.x/0.5.x `{"error","message"}` → the message; 0.4.x `{"error":"ValueError('…')"}` → the text inside the
/// exception's repr; `FastAPI` validation errors `{"detail":[{"loc":[...],"msg":...}]}` → `body.where: msg; …`.
#[must_use]
pub fn server_message(response: &ErrorResponse) -> String {
    let message = response.message.trim();
    if let Some(inner) = unwrap_python_repr(message) {
        return inner;
    }
    if message.starts_with('[')
        && let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(message)
    {
        let parts: Vec<String> = items.iter().filter_map(fastapi_item).collect();
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    message.to_owned()
}

/// `ValueError('Collection x does not exist.')` → `Collection x does not exist.`
fn unwrap_python_repr(text: &str) -> Option<String> {
    let open = text.find('(')?;
    let kind = text.get(..open)?;
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        return None;
    }
    let inner = text.get(open + 1..)?.strip_suffix(')')?;
    let quote = inner.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = inner.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(inner.replace(&format!("\\{quote}"), &quote.to_string()))
}

/// One `FastAPI` validation item as `loc: msg` (`body.where: Input should be a valid dictionary`).
fn fastapi_item(item: &serde_json::Value) -> Option<String> {
    let msg = item.get("msg")?.as_str()?;
    let loc: Vec<String> = item
        .get("loc")
        .and_then(serde_json::Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|part| match part {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let detail = item.get("ctx").and_then(|ctx| ctx.get("error")).and_then(serde_json::Value::as_str);
    let mut text = if loc.is_empty() { msg.to_owned() } else { format!("{}: {msg}", loc.join(".")) };
    if let Some(detail) = detail {
        text = format!("{text} ({detail})");
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> ErrorResponse {
        ErrorResponse::parse(status, &reqwest::header::HeaderMap::new(), body.as_bytes(), "http://x/")
    }

    #[test]
    fn messages_of_every_generation() {
        // 1.x (transcript v2-1.x/58).
        let r = response(
            400,
            r#"{"error":"InvalidArgumentError","message":"Collection expecting embedding with dimension of 4, got 2"}"#,
        );
        assert_eq!(server_message(&r), "Collection expecting embedding with dimension of 4, got 2");
        // 0.4.24 (v1-0.4.24/50 and a refused where filter).
        let r = response(500, r#"{"error":"ValueError('Collection does_not_exist does not exist.')"}"#);
        assert_eq!(server_message(&r), "Collection does_not_exist does not exist.");
        let r = response(500, r#"{"error":"TypeError(\"unsupported operand type(s) for +: 'NoneType' and 'int'\")"}"#);
        assert_eq!(server_message(&r), "unsupported operand type(s) for +: 'NoneType' and 'int'");
        // FastAPI (v1-0.4.24/52).
        let r = response(
            422,
            r#"{"detail":[{"type":"json_invalid","loc":["body",12],"msg":"JSON decode error","input":{},
            "ctx":{"error":"Expecting property name enclosed in double quotes"}}]}"#,
        );
        assert_eq!(
            server_message(&r),
            "body.12: JSON decode error (Expecting property name enclosed in double quotes)"
        );
        let r = response(404, r#"{"detail":"Not Found"}"#);
        assert_eq!(server_message(&r), "Not Found");
        // Not a repr: left alone.
        let r = response(400, r#"{"error":"X","message":"value (x) is wrong"}"#);
        assert_eq!(server_message(&r), "value (x) is wrong");
    }
}
