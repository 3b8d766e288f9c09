package servicetest

import "reflect"

func typeName(v any) string {
	if v == nil {
		return "call"
	}
	return reflect.TypeOf(v).String()
}
