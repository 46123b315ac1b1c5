package guest

import (
	"errors"
	"strconv"
)

// Settings are the `settings` block of the plugin's entry in the server's
// config, handed to the module when it loads. Values read as text: strings
// as they are, numbers and booleans as written, lists and maps as JSON.
type Settings struct {
	get  func(key string) (string, bool)
	json func() string
}

// NewSettings returns settings holding values (as the host would hand
// them, as text) and json (the whole block), for tests.
func NewSettings(values map[string]string, json string) *Settings {
	return &Settings{
		get:  func(k string) (string, bool) { v, ok := values[k]; return v, ok },
		json: func() string { return json },
	}
}

// Get returns the setting key as text.
func (s *Settings) Get(key string) (string, bool) { return s.get(key) }

// JSON returns the whole block as a JSON object, for plugins that decode
// it with encoding/json (the kit does not, to keep modules small).
func (s *Settings) JSON() string { return s.json() }

// Int returns the integer setting key, or def when it is absent.
func (s *Settings) Int(key string, def int) (int, error) {
	v, ok := s.get(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, errors.New(key + " must be an integer, got " + v)
	}
	return n, nil
}

// String returns the setting key, or def when it is absent.
func (s *Settings) String(key, def string) string {
	if v, ok := s.get(key); ok {
		return v
	}
	return def
}

// Bool returns the boolean setting key, or def when it is absent.
func (s *Settings) Bool(key string, def bool) (bool, error) {
	v, ok := s.get(key)
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, errors.New(key + " must be true or false, got " + v)
	}
	return b, nil
}
