//! Wire faults on demand (a scenario rule's `fault`): what real banks and the proxies in front of
//! them do to an answer. Each says whether the function runs, i.e. whether the bank acted.
//!
//! | `fault` | the wallet function | what the client gets |
//! |---|---|---|
//! | `truncated-body` | runs | the answer's headers, then the connection closed halfway through the body |
//! | `trickle` | runs | the answer, 16 bytes every 50 ms |
//! | `slow-headers` | runs | nothing for 5 s, then the answer |
//! | `html-502` | does not run | a proxy's HTML 502 page |
//! | `html-504` | runs | a proxy's HTML 504 page (it gave up waiting; the bank acted) |
//! | `soap-fault` | does not run | a SOAP Fault (`soapenv:Server`), HTTP 500 |
//! | `unsealed-00` | does not run | a `00` answer with no seal |
//! | `wrong-seal` | runs | the answer, its seal not matching its content |
//! | `invalid-xml` | does not run | HTTP 200 with a body that is not XML |

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;

use super::reply::ReplyBody;
use hyper::body::{Body, Frame, SizeHint};
use serde::Deserialize;

/// A wire fault a rule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Fault {
    /// Headers, then the connection closed halfway through the body.
    TruncatedBody,
    /// The body 16 bytes every 50 ms.
    Trickle,
    /// Nothing for 5 s, then the answer.
    SlowHeaders,
    /// A proxy's HTML 502 page (the function did not run).
    #[serde(rename = "html-502")]
    Html502,
    /// A proxy's HTML 504 page (the function ran).
    #[serde(rename = "html-504")]
    Html504,
    /// A SOAP Fault (the function did not run).
    SoapFault,
    /// `00` with no seal (the function did not run).
    #[serde(rename = "unsealed-00")]
    Unsealed00,
    /// The real answer with a seal that does not match it.
    WrongSeal,
    /// HTTP 200 with a body that is not XML (the function did not run).
    InvalidXml,
}

impl Fault {
    /// Whether the wallet function runs (the bank acted) before the fault.
    pub fn runs_the_function(self) -> bool {
        matches!(
            self,
            Fault::TruncatedBody
                | Fault::Trickle
                | Fault::SlowHeaders
                | Fault::Html504
                | Fault::WrongSeal
        )
    }

    /// How long nothing is sent before the answer.
    pub(super) fn delay(self) -> Duration {
        match self {
            Fault::SlowHeaders => Duration::from_secs(5),
            _ => Duration::ZERO,
        }
    }
}

/// `data` in pieces of `chunk` bytes every `pause`, announcing its whole length; with `cut`, an
/// error after that many bytes, which makes hyper close the connection mid-body.
pub(super) fn paced(data: Bytes, chunk: usize, pause: Duration, cut: Option<usize>) -> ReplyBody {
    Paced {
        data,
        sent: 0,
        chunk: chunk.max(1),
        pause,
        cut,
        sleep: None,
    }
    .boxed()
}

struct Paced {
    data: Bytes,
    sent: usize,
    chunk: usize,
    pause: Duration,
    cut: Option<usize>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for Paced {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if self.cut.is_some_and(|cut| self.sent >= cut) {
            return Poll::Ready(Some(Err(std::io::Error::other(
                "truncated by a scenario fault",
            ))));
        }
        if self.sent >= self.data.len() {
            return Poll::Ready(None);
        }
        if !self.pause.is_zero() && self.sent > 0 {
            let pause = self.pause;
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(pause)));
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.sleep = None;
        }
        let end = (self.sent + self.chunk)
            .min(self.data.len())
            .min(self.cut.unwrap_or(usize::MAX));
        let piece = self.data.slice(self.sent..end);
        self.sent = end;
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}

/// A proxy's HTML error page.
pub(super) fn html_page(status: u16) -> String {
    let title = match status {
        502 => "502 Bad Gateway",
        _ => "504 Gateway Time-out",
    };
    format!("<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center><hr><center>nginx</center></body></html>\n")
}
