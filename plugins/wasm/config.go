package wasm

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// Config is the plugin's config block.
type Config struct {
	// Module is the .wasm file, relative to the config file.
	Module string `yaml:"module"`
	// Memory caps each instance's linear memory (default 16MiB).
	Memory ByteSize `yaml:"memory"`
	// Instances caps how many instances run at once (default GOMAXPROCS);
	// a comment waits, within its deadline, for a free one.
	Instances int `yaml:"instances"`
	// Settings are handed to the module when an instance starts.
	Settings map[string]any `yaml:"settings"`
}

// DefaultMemory is an instance's memory cap unless the config sets one.
const DefaultMemory = 16 << 20

// MaxMemory is the largest cap: WebAssembly's 32-bit address space.
const MaxMemory = 4 << 30

// MaxInstances bounds the pool.
const MaxInstances = 256

// pageSize is WebAssembly's memory page.
const pageSize = 64 << 10

func defaultConfig() Config {
	return Config{Memory: DefaultMemory, Instances: runtime.GOMAXPROCS(0)}
}

// ByteSize is a size in bytes written like 16MiB, 512KiB, 1GiB or 65536.
type ByteSize int64

var units = []struct {
	suffix string
	scale  int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}

// UnmarshalText parses a size with an optional unit.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	scale := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, scale = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > MaxMemory/scale {
		return fmt.Errorf("%q is not a size like 16MiB", text)
	}
	*b = ByteSize(n * scale)
	return nil
}

// String formats the size in the largest binary unit that divides it.
func (b ByteSize) String() string {
	for _, u := range units[:3] {
		if b >= ByteSize(u.scale) && int64(b)%u.scale == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.scale, u.suffix)
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}

// pages is the size in whole WebAssembly pages, rounded down.
func (b ByteSize) pages() uint32 { return uint32(b / pageSize) }
