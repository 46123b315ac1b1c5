package protocol

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// DecodeCommentsV2 reads a v2 comments frame back into the items a v1
// frame carries (Go clients and tests; the browser has its own, wire.js).
func DecodeCommentsV2(data []byte) (Comments, error) {
	var f struct {
		Type string              `json:"type"`
		Room string              `json:"room"`
		Rows [][]json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Comments{}, fmt.Errorf("protocol: v2 comments frame: %w", err)
	}
	if f.Type != TypeComments {
		return Comments{}, fmt.Errorf("protocol: v2 frame of type %q is not a comments frame", f.Type)
	}
	out := Comments{Type: f.Type, Room: f.Room, Items: make([]Comment, 0, len(f.Rows))}
	var id, seq, created int64
	for i, row := range f.Rows {
		c, err := decodeRow(row, f.Room, &id, &seq, &created)
		if err != nil {
			return Comments{}, fmt.Errorf("protocol: v2 row %d: %w", i, err)
		}
		out.Items = append(out.Items, c)
	}
	return out, nil
}

// decodeRow reads one row, moving the running id, seq and created on.
func decodeRow(row []json.RawMessage, room string, id, seq, created *int64) (Comment, error) {
	if len(row) < 6 || len(row) > 12 {
		return Comment{}, fmt.Errorf("a row has 6 to 12 fields, not %d", len(row))
	}
	c := Comment{Room: room, Mode: DefaultMode, Color: DefaultColor, Size: DefaultSize}
	var dID, dCreated, ms int64
	var dSeq *int64
	var weight int
	var name, color string
	fields := []any{&dID, &dSeq, &ms, &dCreated, &c.Text, &c.User.ID, &weight, &name, &c.Likes, &c.Mode, &color, &c.Size}
	for i, raw := range row {
		if i >= 7 && string(raw) == "0" {
			continue // a default before a field that is not
		}
		var err error
		switch i {
		case 9, 11:
			err = decodeCode(raw, fields[i].(*string), map[int][]string{9: modeCodes[:], 11: sizeCodes[:]}[i])
		default:
			err = json.Unmarshal(raw, fields[i])
		}
		if err != nil {
			return Comment{}, fmt.Errorf("field %d: %w", i, err)
		}
	}
	*id += dID
	*created += dCreated
	c.ID, c.Time, c.CreatedAt, c.Weight = *id, Seconds(ms), Timestamp(*created), weight
	if dSeq != nil {
		*seq += *dSeq
		c.Seq = *seq
	}
	c.User.Name = name
	if name == "" {
		c.User.Name = DefaultGuestName(c.User.ID)
	}
	if color != "" {
		c.Color = "#" + color
	}
	return c, nil
}

// decodeCode reads a mode or size: its code, or the value itself.
func decodeCode(raw json.RawMessage, dst *string, codes []string) error {
	if n, err := strconv.Atoi(string(raw)); err == nil {
		if n < 0 || n >= len(codes) {
			return fmt.Errorf("unknown code %d", n)
		}
		*dst = codes[n]
		return nil
	}
	return json.Unmarshal(raw, dst)
}
