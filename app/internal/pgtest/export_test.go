package pgtest

// Dir is where s keeps its data, for tests of the clean-up.
func Dir(s *Server) string { return s.dir }
