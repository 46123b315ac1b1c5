// Package webhook is the `webhook` moderation plugin: it POSTs each
// comment as JSON to a URL, signed with HMAC-SHA256, and maps the answer
// onto a verdict, in the spirit of Centrifugo's publish proxy. Any
// language with an HTTP server can moderate this way.
//
// The contract (docs/plugins.md, "Writing a webhook"): the request body is
// a [Request]; the headers [HeaderTimestamp] and [HeaderSignature] sign it
// (see [Sign]); the receiver answers 200 with a [Response], or 204 for
// allow. Anything else (a 4xx or 5xx, a redirect, a malformed or unknown
// answer, or no answer before the entry's timeout) is a plugin failure
// that the entry's on_error decides. The secret comes from an environment
// variable, never from the config file.
package webhook
