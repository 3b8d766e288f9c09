package console

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// lookupKeys are LookupEvents' attribute keys, in the Event history page's order
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupAttribute.html).
var lookupKeys = []string{"EventName", "EventSource", "Username", "ResourceType", "ResourceName", "EventId", "ReadOnly", "AccessKeyId"}

// timeInput is the layout of a datetime-local form field; the page reads and shows it as UTC.
const timeInput = "2006-01-02T15:04"

// eventRow is an event of the history.
type eventRow struct {
	ID, Name, Source, User, AccessKeyID, ReadOnly string
	Time                                          time.Time
	Resources                                     []string
	ErrorCode                                     string
	JSON                                          string // the CloudTrail event, indented
}

// historyData is the Event history page: its filter and a page of events.
type historyData struct {
	Keys                   []string
	Key, Value, Start, End string
	Events                 []eventRow
	Next                   string // the token of the next page
	FormError              string
}

// history is CloudTrail's Event history (LookupEvents as the signed-in identity): a lookup
// attribute, a time range, fifty events a page, each event's record
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-console.html).
// Times are UTC; a bad one is a form error and nothing is looked up.
func (c *Console) history(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	data := &historyData{Keys: lookupKeys, Key: q.Get("key"), Value: q.Get("value"), Start: q.Get("start"), End: q.Get("end")}
	if data.Key == "" {
		data.Key = "EventName"
	}
	p := &page{Title: "Event history", Session: ss, Data: data}
	in := &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50)}
	words := []string{"cloudtrail", "lookup-events", "--max-results", "50"}
	if data.Value != "" {
		in.LookupAttributes = []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKey(data.Key), AttributeValue: aws.String(data.Value)}}
		words = append(words, "--lookup-attributes", "AttributeKey="+data.Key+",AttributeValue="+data.Value)
	}
	for _, f := range []struct {
		name, value string
		into        **time.Time
		flag        string
	}{{"Start time", data.Start, &in.StartTime, "--start-time"}, {"End time", data.End, &in.EndTime, "--end-time"}} {
		if f.value == "" {
			continue
		}
		t, err := time.Parse(timeInput, f.value)
		if err != nil {
			data.FormError = f.name + " must be a date and time, YYYY-MM-DDThh:mm (UTC)."
			c.render(w, http.StatusOK, "history", p)
			return
		}
		*f.into = aws.Time(t)
		words = append(words, f.flag, t.UTC().Format(time.RFC3339))
	}
	if t := q.Get("token"); t != "" {
		in.NextToken = aws.String(t)
	}
	p.CLI = []cliCommand{c.regional(r, "Look up these events", words...)}
	out, err := c.clientsFor(r, ss).cloudtrail().LookupEvents(r.Context(), in)
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "history", p)
		return
	}
	for _, ev := range out.Events {
		row := eventRow{ID: aws.ToString(ev.EventId), Name: aws.ToString(ev.EventName), Source: aws.ToString(ev.EventSource),
			User: aws.ToString(ev.Username), AccessKeyID: aws.ToString(ev.AccessKeyId), ReadOnly: aws.ToString(ev.ReadOnly),
			Time: aws.ToTime(ev.EventTime), JSON: indent(aws.ToString(ev.CloudTrailEvent))}
		for _, res := range ev.Resources {
			row.Resources = append(row.Resources, aws.ToString(res.ResourceType)+" "+aws.ToString(res.ResourceName))
		}
		row.ErrorCode = errorCodeOf(aws.ToString(ev.CloudTrailEvent))
		data.Events = append(data.Events, row)
	}
	data.Next = aws.ToString(out.NextToken)
	c.render(w, http.StatusOK, "history", p)
}

// errorCodeOf is a CloudTrail record's errorCode, "" when it has none.
func errorCodeOf(record string) string {
	var rec struct {
		ErrorCode string `json:"errorCode"`
	}
	_ = json.Unmarshal([]byte(record), &rec) // a record that is not JSON has no error code to show
	return rec.ErrorCode
}
