package cloudtrail

// SetAfterWrite lets a test stop a delivery between writing its files and recording that it did,
// as a crash would.
func SetAfterWrite(s *Service, f func() error) { s.afterWrite = f }
