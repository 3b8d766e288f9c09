package keytrailtest

// DataDir is the state directory New made for s ("" for Start's).
func DataDir(s *Server) string { return s.tmp }
