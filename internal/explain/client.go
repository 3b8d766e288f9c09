package explain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Path is where a keytrail serves explanations: GET Path + <request-id>.
const Path = "/_keytrail/explain/"

// Client fetches explanations from a running keytrail, signing its requests with SigV4 as the
// AWS SDKs do (for the service "keytrail" in Region).
type Client struct {
	Endpoint    string // e.g. http://127.0.0.1:4566
	Region      string
	Credentials aws.Credentials
	HTTP        *http.Client // http.DefaultClient when nil
	Now         func() time.Time
}

// Error is keytrail's refusal to explain: its HTTP status and its JSON error body.
type Error struct {
	Status  int
	Code    string `json:"__type"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message) }

// Get fetches the explanation of request id.
func (c *Client) Get(ctx context.Context, id string) (*Explanation, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.Endpoint, "/")+Path+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	empty := sha256.Sum256(nil)
	payload := hex.EncodeToString(empty[:])
	req.Header.Set("X-Amz-Content-Sha256", payload)
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if err := v4.NewSigner().SignHTTP(ctx, c.Credentials, req, payload, "keytrail", c.Region, now().UTC()); err != nil {
		return nil, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(body, e) != nil || e.Code == "" {
			e.Code, e.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(body))
		}
		return nil, e
	}
	var out Explanation
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("explanation of %s: %w", id, err)
	}
	return &out, nil
}
