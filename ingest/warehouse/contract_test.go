package warehouse

import (
	"strconv"
	"strings"
	"testing"
)

// The limit in messages is the limit checked.
func TestMaxProductText(t *testing.T) {
	if got := strings.ReplaceAll(MaxProductText, " ", ""); got != strconv.Itoa(MaxProduct) {
		t.Errorf("MaxProductText %q is not MaxProduct %d", MaxProductText, MaxProduct)
	}
}
