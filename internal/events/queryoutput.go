package events

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// queryTime is how CloudTrail writes the timestamps of IAM and STS responseElements, e.g.
// "expiration": "Oct 2, 2019 11:12:29 PM" in the AssumeRole records of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html.
const queryTime = "Jan 2, 2006 3:04:05 PM"

// queryOutputJSON renders a query-protocol result (IAM, STS) as the JSON its responseElements
// start from: members named as the XML response names them (AccessKeyId, not the Go field
// AccessKeyID), wrapped lists ("Users>member") as arrays, absent members (empty strings, zero
// times, nil) left out, timestamps in CloudTrail's form. The rewrite then lowers first letters
// and drops secrets.
func queryOutputJSON(v any) ([]byte, error) {
	return json.Marshal(queryValue(reflect.ValueOf(v), 0))
}

// maxOutputDepth bounds the walk; keytrail's result types nest a handful of levels.
const maxOutputDepth = 16

func queryValue(v reflect.Value, depth int) any {
	if depth > maxOutputDepth {
		return nil
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(queryTime)
	}
	switch v.Kind() {
	case reflect.Struct:
		return queryStruct(v, depth)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface() // []byte: base64, as encoding/json writes it
		}
		list := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			if e := queryValue(v.Index(i), depth+1); e != nil {
				list = append(list, e)
			}
		}
		return list
	case reflect.Map:
		m := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			if e := queryValue(iter.Value(), depth+1); e != nil {
				m[iter.Key().String()] = e
			}
		}
		return m
	case reflect.String:
		if v.Len() == 0 {
			return nil
		}
		return v.String()
	default:
		return v.Interface()
	}
}

func queryStruct(v reflect.Value, depth int) map[string]any {
	out := map[string]any{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if (!f.IsExported() && !f.Anonymous) || f.Type == reflect.TypeFor[struct{}]() {
			continue
		}
		tag := strings.Split(f.Tag.Get("xml"), ",")[0]
		if tag == "-" || f.Name == "XMLName" {
			continue
		}
		if f.Anonymous && tag == "" {
			fv := v.Field(i)
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			if fv.Kind() != reflect.Struct {
				continue
			}
			for k, e := range queryStruct(fv, depth) {
				out[k] = e
			}
			continue
		}
		name := f.Name
		if tag != "" {
			name, _, _ = strings.Cut(tag, ">")
		}
		if e := queryValue(v.Field(i), depth+1); e != nil {
			out[name] = e
		}
	}
	return out
}
