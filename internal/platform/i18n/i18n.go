// Package i18n holds every message a person reads, in Chinese (the default)
// and English, and picks the language of a request.
//
// Modules register their own catalogues at start; a message is looked up by
// key and formatted with fmt verbs. A key with no entry shows as itself, and
// a test in each module checks that every key it uses has both languages.
package i18n

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Lang is a supported language.
type Lang string

// The supported languages; Chinese is the default.
const (
	Zh Lang = "zh"
	En Lang = "en"
)

// Text is one message in both languages.
type Text struct{ Zh, En string }

// Catalog maps message keys to their texts.
type Catalog map[string]Text

var (
	mu      sync.RWMutex
	entries = Catalog{}
)

// Register adds a module's messages. A key registered twice with different
// texts panics, since one of the two modules would show the wrong words.
func Register(c Catalog) {
	mu.Lock()
	defer mu.Unlock()
	for k, v := range c {
		if old, ok := entries[k]; ok && old != v {
			panic("i18n: message " + k + " registered twice")
		}
		entries[k] = v
	}
}

// Has reports whether key has a text in both languages.
func Has(key string) bool {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := entries[key]
	return ok && t.Zh != "" && t.En != ""
}

// Keys lists the registered keys that start with prefix, sorted.
func Keys(prefix string) []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for k := range entries {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// T returns the message key in lang, formatted with args.
func T(lang Lang, key string, args ...any) string {
	mu.RLock()
	t, ok := entries[key]
	mu.RUnlock()
	format := key
	if ok {
		format = t.Zh
		if lang == En && t.En != "" {
			format = t.En
		}
	}
	if len(args) == 0 {
		return format
	}
	copied := false
	for i, a := range args {
		// A message may name another message, put in the same language.
		if m, ok := a.(Msg); ok {
			if !copied {
				args, copied = append([]any(nil), args...), true
			}
			args[i] = m.In(lang)
		}
	}
	return fmt.Sprintf(format, args...)
}

// Msg is a message not yet put into words: a key and its arguments. Errors and
// flashes carry a Msg so that each reader gets their own language.
type Msg struct {
	Key  string
	Args []any
}

// M makes a Msg.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// In puts the message into words in lang.
func (m Msg) In(lang Lang) string { return T(lang, m.Key, m.Args...) }

// CookieName is the cookie that remembers a chosen language.
const CookieName = "lang"

// FromRequest picks the language of a request: an explicit ?lang=, then the
// lang cookie, then, when useAcceptLanguage is set (API clients), the first
// Accept-Language that names Chinese or English; Chinese otherwise. Pages do
// not follow Accept-Language: Grassroots speaks Chinese unless asked not to.
func FromRequest(r *http.Request, useAcceptLanguage bool) Lang {
	if l, ok := Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(CookieName); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l
		}
	}
	if !useAcceptLanguage {
		return Zh
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return Zh
		case strings.HasPrefix(tag, "en"):
			return En
		}
	}
	return Zh
}

// Parse reads a language name.
func Parse(s string) (Lang, bool) {
	switch strings.ToLower(s) {
	case "zh", "zh-cn", "zh-hans":
		return Zh, true
	case "en", "en-us", "en-gb":
		return En, true
	}
	return "", false
}

// FromLocale picks the language of a command from the POSIX locale in its
// environment: the first of LC_ALL, LC_MESSAGES and LANG that is set, read
// by getenv. A locale of English (en_US.UTF-8, en) gives English; any other,
// and none, Chinese, as the web speaks Chinese unless asked not to.
func FromLocale(getenv func(string) string) Lang {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		tag := strings.ToLower(v)
		if tag == "en" || strings.HasPrefix(tag, "en_") || strings.HasPrefix(tag, "en.") || strings.HasPrefix(tag, "en@") || strings.HasPrefix(tag, "en-") {
			return En
		}
		return Zh
	}
	return Zh
}
