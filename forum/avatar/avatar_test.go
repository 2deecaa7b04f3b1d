package avatar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func sample(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

// PNG encodes a w×h test picture.
func PNG(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, sample(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Bomb is a valid PNG header declaring w×h pixels, with no image data
// worth the name: decoding it would allocate w*h*4 bytes.
func Bomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

func TestProcess(t *testing.T) {
	var jp, gf bytes.Buffer
	if err := jpeg.Encode(&jp, sample(640, 480), nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gf, sample(50, 300), nil); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{"png": PNG(t, 300, 200), "jpeg": jp.Bytes(), "gif": gf.Bytes(), "tiny": PNG(t, 1, 1)} {
		img, err := ProcessBytes(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(img.Data))
		if err != nil || format != "jpeg" || cfg.Width != Size || cfg.Height != Size {
			t.Errorf("%s: made %s %dx%d (%v)", name, format, cfg.Width, cfg.Height, err)
		}
		if img.ContentType != "image/jpeg" || len(img.Hash) != 16 {
			t.Errorf("%s: %+v", name, img)
		}
	}
}

func TestRefusals(t *testing.T) {
	big := append(PNG(t, 10, 10), make([]byte, MaxBytes)...)
	for name, c := range map[string]struct {
		in   []byte
		want error
	}{
		"text":        {[]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), ErrNotImage},
		"empty":       {nil, ErrNotImage},
		"truncated":   {PNG(t, 100, 100)[:60], ErrNotImage},
		"huge file":   {big, ErrTooLarge},
		"bomb":        {Bomb(100_000, 100_000), ErrTooMany},
		"wide bomb":   {Bomb(1<<31-1, 1), ErrTooMany},
		"zero pixels": {Bomb(0, 10), ErrNotImage},
	} {
		if _, err := ProcessBytes(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		if _, err := Process(bytes.NewReader(c.in)); !errors.Is(err, c.want) {
			t.Errorf("%s via reader: %v, want %v", name, err, c.want)
		}
	}
}

// FuzzProcess: any bytes are refused with one of the named errors or
// made into a Size×Size JPEG; never a panic, never a bomb decoded.
func FuzzProcess(f *testing.F) {
	f.Add(PNG(f, 3, 2))
	f.Add(Bomb(50_000, 50_000))
	f.Add([]byte("GIF89a"))
	var jp bytes.Buffer
	if err := jpeg.Encode(&jp, sample(9, 5), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(withOrientation(jp.Bytes(), 6))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := ProcessBytes(data)
		if err != nil {
			if !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrTooMany) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Data))
		if err != nil || cfg.Width != Size || cfg.Height != Size {
			t.Fatalf("made a bad avatar: %v %+v", err, cfg)
		}
	})
}

// withOrientation puts an EXIF block with orientation o after a JPEG's
// start marker, as a phone camera writes it.
func withOrientation(jpg []byte, o uint16) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01")
	entry := make([]byte, 12)
	binary.BigEndian.PutUint16(entry[0:], 0x0112)
	binary.BigEndian.PutUint16(entry[2:], 3)
	binary.BigEndian.PutUint32(entry[4:], 1)
	binary.BigEndian.PutUint16(entry[8:], o)
	tiff = append(append(tiff, entry...), 0, 0, 0, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(append(out, app1...), seg...)
	return append(out, jpg[2:]...)
}

// A phone photo stored on its side is turned upright.
func TestOrientation(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{220, 0, 0, 255} // left half red
			if x >= 32 {
				c = color.RGBA{0, 0, 220, 255} // right half blue
			}
			img.Set(x, y, c)
		}
	}
	var jp bytes.Buffer
	if err := jpeg.Encode(&jp, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	red := func(c color.Color) bool { r, _, b, _ := c.RGBA(); return r > 2*b }
	for o, want := range map[uint16][2]bool{
		// {is the top-left red, is the bottom-right red}
		1: {true, false}, 3: {false, true}, 6: {true, false}, 8: {false, true},
	} {
		in := withOrientation(jp.Bytes(), o)
		if got := jpegOrientation(in); got != int(o) {
			t.Fatalf("orientation %d read as %d", o, got)
		}
		out, err := ProcessBytes(in)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := jpeg.Decode(bytes.NewReader(out.Data))
		if err != nil {
			t.Fatal(err)
		}
		if red(dec.At(10, 10)) != want[0] || red(dec.At(245, 245)) != want[1] {
			t.Errorf("orientation %d: top-left red %v, bottom-right red %v", o, red(dec.At(10, 10)), red(dec.At(245, 245)))
		}
		// 6 turns it a quarter clockwise: the left half becomes the top.
		if o == 6 && (!red(dec.At(245, 10)) || red(dec.At(10, 245))) {
			t.Errorf("orientation 6 not turned clockwise")
		}
	}
	for _, junk := range [][]byte{nil, {0xFF, 0xD8}, {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF}, withOrientation(jp.Bytes(), 99)[:30]} {
		if o := jpegOrientation(junk); o != 1 {
			t.Errorf("junk %x: orientation %d", junk, o)
		}
	}
}
