package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// localStackHealthPath is LocalStack's health endpoint, which its tools and many wait scripts poll
// (https://docs.localstack.cloud/aws/capabilities/config/internal-endpoints/).
const localStackHealthPath = "/_localstack/health"

// localStackHealth answers GET /_localstack/health in LocalStack's shape,
// {"services": {"<name>": "running", …}, "edition": …, "version": …}, with keytrail's own
// health fields beside it (status, region, uptimeSeconds). LocalStack writes its JSON with
// Python's separators (", " and ": ") and wait scripts grep for `"s3": "running"`; so does this.
func (g *Gateway) localStackHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"services": {`)
	for i, name := range g.serviceNames() {
		if i > 0 {
			b.WriteString(", ")
		}
		writeJSONString(&b, name)
		b.WriteString(`: "running"`)
	}
	b.WriteString(`}, "edition": "community", "version": `)
	writeJSONString(&b, g.version)
	b.WriteString(`, "status": "ok", "region": `)
	writeJSONString(&b, g.region)
	b.WriteString(`, "uptimeSeconds": ` + strconv.FormatInt(g.uptimeSeconds(), 10) + "}\n")
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
}

// writeJSONString appends s as a JSON string.
func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}

// uptimeSeconds is how long the gateway has served, in whole seconds.
func (g *Gateway) uptimeSeconds() int64 { return int64(g.now().Sub(g.started).Seconds()) }
