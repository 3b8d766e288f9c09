package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// flush asks a running keytrail to deliver what is pending, and prints its summary.
func (m *Main) flush(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("flush", flag.ContinueOnError)
	endpointURL := fs.String("endpoint-url", "", "keytrail's endpoint (default AWS_ENDPOINT_URL, else "+defaultEndpoint+")")
	deprecated := fs.String("endpoint", "", "deprecated: the same as --endpoint-url")
	if err := m.parseNoArgs(fs, "flush", args); err != nil {
		return err
	}
	if *deprecated != "" {
		fmt.Fprintln(m.Stderr, "keytrail: flush: --endpoint is deprecated; use --endpoint-url")
	}
	endpoint, err := m.endpoint(firstSet(*endpointURL, *deprecated))
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/_keytrail/flush", nil)
	if err != nil {
		return usagef("flush: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("flush: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	_, err = m.Stdout.Write(body)
	return err
}
