package lake

// SetResultFileSize sets the CSV bytes after which a saved result file ends.
func SetResultFileSize(s *Service, size int) { s.resultFileSize = size }
