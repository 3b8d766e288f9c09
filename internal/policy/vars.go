package policy

import "strings"

// Policy variables (Version 2012-10-17 only): ${aws:username}, ${aws:PrincipalAccount}, any
// condition key, with an optional default ${key, 'default'}, and the escapes ${*}, ${?} and ${$}
// that stand for the literal characters.

// checkVars reports the first malformed variable in s, if any.
func checkVars(s string) (string, bool) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return "", true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s[i:], false
		}
		name, def, hasDef := strings.Cut(s[i+2:i+j], ",")
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return s[i : i+j+1], false
		case name == "*" || name == "?" || name == "$":
			if hasDef {
				return s[i : i+j+1], false
			}
		case hasDef:
			def = strings.TrimSpace(def)
			if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
				return s[i : i+j+1], false
			}
		}
		s = s[i+j+1:]
	}
}

// expand substitutes the variables of s from the request context. In a pattern the substituted
// text is escaped so that it matches only itself; otherwise it is inserted as it is. It reports
// false when a variable has no value (and no default): the element then matches nothing.
func expand(s string, ctx Context, pattern bool) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}') // present: checked at parse time
		b.WriteString(s[:i])
		name, def, hasDef := strings.Cut(s[i+2:i+j], ",")
		name = strings.TrimSpace(name)
		var v string
		switch name {
		case "*", "?", "$":
			v = name
		default:
			vals, ok := ctx.Lookup(name)
			switch {
			case ok && len(vals) == 1:
				v = vals[0]
			case hasDef:
				def = strings.TrimSpace(def)
				v = def[1 : len(def)-1]
			default:
				return "", false
			}
		}
		if pattern {
			for k := 0; k < len(v); k++ {
				if v[k] == '*' || v[k] == '?' {
					b.WriteByte(esc)
				}
				b.WriteByte(v[k])
			}
		} else {
			b.WriteString(v)
		}
		s = s[i+j+1:]
	}
}
