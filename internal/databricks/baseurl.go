package databricks

import (
	"errors"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// BaseURL is a validated, normalised workspace URL: scheme and host (with the port when
// one was written), lower case, no trailing slash.
type BaseURL struct {
	u *url.URL
}

// String returns the normalised form, e.g. https://adb-1234567890123456.7.azuredatabricks.net.
func (b BaseURL) String() string { return b.u.String() }

// Host returns the host, and the port when one was written.
func (b BaseURL) Host() string { return b.u.Host }

// warehouseHTTPPath matches the "HTTP path" a warehouse's connection details show, which
// users paste after the host: /sql/1.0/warehouses/<id> (and the older endpoints/ form).
var warehouseHTTPPath = regexp.MustCompile(`(?i)^/sql/1\.0/(?:warehouses|endpoints)/([A-Za-z0-9]+)/?$`)

// ParseBaseURL validates and normalises a workspace Base URL. It is the one definition of a
// valid Base URL: the provider's plan-time validator and the client both call it, so
// anything accepted at plan time is accepted at apply time.
func ParseBaseURL(raw string) (BaseURL, error) {
	if raw == "" {
		return BaseURL{}, &InputError{Problem: "The Base URL is empty.", Fix: "Set it to your workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net."}
	}
	if strings.TrimSpace(raw) != raw {
		return BaseURL{}, &InputError{Problem: "The Base URL has leading or trailing white space.", Fix: "Remove it (trimspace() helps when the value comes from a file)."}
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return BaseURL{}, &InputError{Problem: "The Base URL contains white space."}
	}

	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		return BaseURL{}, &InputError{
			Problem: "The Base URL has no scheme.",
			Fix:     "Did you mean " + suggestHTTPS(raw) + "?",
		}
	}
	if lower := strings.ToLower(rest); strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "https:") || strings.HasPrefix(lower, "http:") {
		return BaseURL{}, &InputError{
			Problem: "The Base URL repeats its scheme.",
			Fix:     "Did you mean " + suggestHTTPS(rest) + "?",
		}
	}
	scheme = strings.ToLower(scheme)
	if scheme != "https" && scheme != "http" {
		return BaseURL{}, &InputError{
			Problem: "The Base URL must use https, not " + quoteShort(scheme) + ".",
			Fix:     "Did you mean " + suggestHTTPS(rest) + "?",
		}
	}

	u, err := url.Parse(raw)
	if err != nil {
		return BaseURL{}, &InputError{Problem: "The Base URL is not a valid URL: " + describeParseError(err) + "."}
	}
	if u.User != nil {
		return BaseURL{}, &InputError{
			Problem: "The Base URL must not contain a user name or password.",
			Fix:     "Put the token in access_token and remove everything before the @ from the URL.",
		}
	}
	host := u.Hostname()
	if host == "" {
		return BaseURL{}, &InputError{Problem: "The Base URL has no host.", Fix: "Write it as https://<workspace host>."}
	}
	if port := u.Port(); port != "" && !validPort(port) {
		return BaseURL{}, &InputError{Problem: "The Base URL has an invalid port " + quoteShort(port) + "."}
	}
	if strings.HasSuffix(u.Host, ":") {
		return BaseURL{}, &InputError{Problem: "The Base URL has an empty port.", Fix: "Remove the trailing colon after the host."}
	}

	clean := &url.URL{Scheme: scheme, Host: strings.ToLower(u.Host)}
	if u.RawQuery != "" || u.ForceQuery {
		if u.Query().Has("o") {
			return BaseURL{}, &InputError{
				Problem: "The workspace id (?o=...) is not part of the Base URL.",
				Fix:     "Remove it: " + clean.String() + ".",
			}
		}
		return BaseURL{}, &InputError{Problem: "The Base URL must not have a query string.", Fix: "Use " + clean.String() + "."}
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return BaseURL{}, &InputError{Problem: "The Base URL must not have a fragment (#...).", Fix: "Use " + clean.String() + "."}
	}
	if u.Path != "" && u.Path != "/" {
		if m := warehouseHTTPPath.FindStringSubmatch(u.Path); m != nil {
			return BaseURL{}, &InputError{
				Problem: "The Base URL ends with a warehouse HTTP path.",
				Fix:     "Use " + clean.String() + " as the Base URL and put the warehouse id in warehouse_id = \"" + m[1] + "\".",
			}
		}
		return BaseURL{}, &InputError{Problem: "The Base URL must not have a path.", Fix: "Use " + clean.String() + "."}
	}
	if scheme == "http" && !isLoopback(host) {
		return BaseURL{}, &InputError{
			Problem: "The Base URL must use https; http is only allowed for a local emulator on a loopback address.",
			Fix:     "Use https://" + clean.Host + ".",
		}
	}
	return BaseURL{u: clean}, nil
}

// suggestHTTPS builds the https URL a user most likely meant from what they wrote after
// (or instead of) a scheme. User info is dropped so a credential is never echoed.
func suggestHTTPS(rest string) string {
	for {
		lower := strings.ToLower(rest)
		switch {
		case strings.HasPrefix(lower, "https://"):
			rest = rest[len("https://"):]
		case strings.HasPrefix(lower, "http://"):
			rest = rest[len("http://"):]
		default:
			host := rest
			if i := strings.IndexAny(host, "/?#"); i >= 0 {
				host = host[:i]
			}
			if i := strings.LastIndex(host, "@"); i >= 0 {
				host = host[i+1:]
			}
			return "https://" + strings.ToLower(host)
		}
	}
}

// describeParseError keeps only the parser's reason: url.Error's own text repeats the
// whole input, user info included.
func describeParseError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return "it cannot be parsed"
}

func validPort(p string) bool {
	if len(p) == 0 || len(p) > 5 {
		return false
	}
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return n >= 1 && n <= 65535
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// quoteShort quotes a fragment of user input for a message, bounded in length.
func quoteShort(s string) string {
	return "\"" + truncate(s, 40) + "\""
}
