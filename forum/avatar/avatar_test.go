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
