package app

// Reasons the server closes sockets, as danmaku_socket_closes_total labels them.
const (
	closeLabelSlow         = "slow"
	closeLabelRateLimit    = "rate_limit"
	closeLabelWriteTimeout = "write_timeout"
)

// revokeLabel names a revoked socket's close reason for metrics: one of a
// fixed few, never the free-text message.
func revokeLabel(reason string) string {
	switch reason {
	case reasonAuthTimeout:
		return "auth_timeout"
	case reasonExpired:
		return "token_expired"
	case reasonSignedOut:
		return "signed_out"
	}
	return "unauthorized"
}
