package awsjson

import (
	"encoding/json"
	"math"
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

// UnmarshalJSON reads epoch seconds (a number), as the SDKs send them.
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*t = Time(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}
