package textnorm

import "testing"

func fold(s string) string {
	var out []rune
	for _, r := range s {
		if f, ok := Fold(r); ok {
			out = append(out, f)
		}
	}
	return string(out)
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"BAD", "bad"},
		{"ＢＡＤ", "bad"},
		{"ｂａｄ", "bad"},
		{"b a d", "bad"},
		{"b.a-d!", "bad"},
		{"𝐛𝐚𝐝", "bad"},
		{"ⓑⓐⓓ", "bad"},
		{"BÁD", "bad"},
		{"b\u200ba\u200bd", "bad"},
		{"傻 逼", "傻逼"},
		{"１２３", "123"},
		{"ｶﾀｶﾅ", "カタカナ"},
		{"ΣΊΣΥΦΟΣ", "σισυφοσ"},
		{"😀b😀", "b"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := fold(tt.in); got != tt.want {
				t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"case and spacing", "Spam!!", "s p a m", true},
		{"runs collapse", "哈哈哈", "哈 哈哈哈哈", true},
		{"full width", "ｈｅｌｌｏ", "hello", true},
		{"different", "hello", "world", false},
		{"digit runs kept", "10", "100", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, _ := Key(tt.a)
			kb, _ := Key(tt.b)
			if (ka == kb) != tt.same {
				t.Errorf("Key(%q) == Key(%q) is %v, want %v", tt.a, tt.b, ka == kb, tt.same)
			}
		})
	}
	if _, n := Key("a b b c"); n != 3 {
		t.Errorf("Key runes = %d, want 3", n)
	}
}

func TestSpaced(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{{'a', true}, {'7', true}, {'é', true}, {'ж', true}, {'好', false}, {'か', false}, {'한', false}, {' ', false}, {'!', false}}
	for _, tt := range tests {
		t.Run(string(tt.r), func(t *testing.T) {
			if got := Spaced(tt.r); got != tt.want {
				t.Errorf("Spaced(%q) = %v", tt.r, got)
			}
		})
	}
}
