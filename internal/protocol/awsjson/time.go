package awsjson

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
)

// Time is a timestamp on the JSON protocol: epoch seconds as a number, with milliseconds as a
// fraction when there are any.
type Time time.Time

// NewTime returns t as a *Time, nil for the zero time (an absent member).
func NewTime(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	v := Time(t)
	return &v
}

// MarshalJSON writes epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(nil, ms/1000, 10), nil
	}
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', 3, 64), nil
}

// The epoch seconds a timestamp may name: the years 0001 to 9999, the range of the ISO 8601
// timestamps AWS renders (https://smithy.io/2.0/spec/protocol-traits.html#timestampformat-trait).
const (
	minEpoch = -62135596800 // 0001-01-01T00:00:00Z
	maxEpoch = 253402300799 // 9999-12-31T23:59:59Z
)

// UnmarshalJSON reads epoch seconds (a number), as the SDKs send them. A number outside the
// years 0001 to 9999 (1e300, say) is not a timestamp: a type error, never a wrapped-around time.
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if !(f >= minEpoch && f < maxEpoch+1) {
		return &json.UnmarshalTypeError{Value: "number " + string(b), Type: reflect.TypeFor[Time]()}
	}
	sec, frac := math.Modf(f)
	*t = Time(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}
