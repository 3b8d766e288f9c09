package awsquery

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// Unmarshal fills the struct dst points to from params. A field's parameter name is its `query`
// tag or its Go name. Supported field types: string, *string, *int32, *int64, *bool, []string
// (Name.member.N) and slices of structs ([]T from Name.member.N.Field). A value of the wrong type
// is a ValidationError; dst is left unchanged on error.
func Unmarshal(params Values, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("awsquery.Unmarshal: dst must point to a struct") // a programming error, not input
	}
	tmp := reflect.New(rv.Elem().Type())
	if err := fill(params, "", tmp.Elem()); err != nil {
		return err
	}
	rv.Elem().Set(tmp.Elem())
	return nil
}

func fill(params Values, prefix string, v reflect.Value) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			// An embedded struct (Paging) contributes its fields at the same level.
			if err := fill(params, prefix, v.Field(i)); err != nil {
				return err
			}
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("query"); tag != "" {
			if tag == "-" {
				continue
			}
			name = tag
		}
		if err := setField(params, prefix+name, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func setField(params Values, name string, fv reflect.Value) error {
	switch fv.Kind() {
	case reflect.String:
		if s, ok := params[name]; ok {
			fv.SetString(s)
		}
		return nil
	case reflect.Pointer:
		s, ok := params[name]
		if !ok {
			return nil
		}
		p := reflect.New(fv.Type().Elem())
		switch p.Elem().Kind() {
		case reflect.String:
			p.Elem().SetString(s)
		case reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(s, 10, p.Elem().Type().Bits())
			if err != nil {
				return awserr.New(awserr.ValidationError, "Invalid value %q for parameter %s: must be an integer", short(s), name)
			}
			p.Elem().SetInt(n)
		case reflect.Bool:
			b, err := strconv.ParseBool(strings.ToLower(s))
			if err != nil {
				return awserr.New(awserr.ValidationError, "Invalid value %q for parameter %s: must be true or false", short(s), name)
			}
			p.Elem().SetBool(b)
		default:
			panic("awsquery: unsupported pointer field type " + fv.Type().String())
		}
		fv.Set(p)
		return nil
	case reflect.Slice:
		return setList(params, name, fv)
	}
	panic("awsquery: unsupported field type " + fv.Type().String())
}

// setList fills a list from Name.member.1, Name.member.2, … (stopping at the first gap).
func setList(params Values, name string, fv reflect.Value) error {
	elem := fv.Type().Elem()
	list := reflect.MakeSlice(fv.Type(), 0, 0)
	present := false
	for n := 1; n <= maxParams; n++ {
		key := name + ".member." + strconv.Itoa(n)
		item := reflect.New(elem).Elem()
		if elem.Kind() == reflect.String {
			s, ok := params[key]
			if !ok {
				break
			}
			item.SetString(s)
		} else if elem.Kind() == reflect.Struct {
			if !hasPrefix(params, key+".") {
				break
			}
			if err := fill(params, key+".", item); err != nil {
				return err
			}
		} else {
			panic("awsquery: unsupported list element type " + elem.String())
		}
		present = true
		list = reflect.Append(list, item)
	}
	// botocore sends an empty list as "Name=".
	if present || params[name] == "" && hasKey(params, name) {
		fv.Set(list)
	}
	return nil
}

func hasKey(params Values, k string) bool { _, ok := params[k]; return ok }

func hasPrefix(params Values, p string) bool {
	for k := range params {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
