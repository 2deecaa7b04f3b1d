// Package avatar checks and re-encodes an uploaded profile picture: only
// JPEG, PNG, GIF and WebP are taken, their dimensions are read from the
// header before anything is decoded (so a decompression bomb is refused
// for the price of a few bytes), and what is kept is a fresh square JPEG
// made on the server, never the uploaded bytes.
package avatar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"

	// The decoders image.Decode may use, registered by import.
	_ "image/gif"
	_ "image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

const (
	// MaxBytes is the largest upload taken.
	MaxBytes = 5 << 20
	// MaxPixels is the most pixels an upload may declare: 40 megapixels.
	MaxPixels = 40_000_000
	// Size is the side of the square avatar kept, in pixels.
	Size = 256
	// ContentType is what Process makes.
	ContentType = "image/jpeg"
)

// The refusals, each its own so the caller can say what was wrong.
var (
	ErrNotImage = errors.New("avatar: not a JPEG, PNG, GIF or WebP image")
	ErrTooLarge = errors.New("avatar: file too large")
	ErrTooMany  = errors.New("avatar: too many pixels")
)

// formats are the image formats taken, as image.DecodeConfig names them.
var formats = map[string]bool{"jpeg": true, "png": true, "gif": true, "webp": true}

// decoding holds a token for each picture being decoded.
var decoding = make(chan struct{}, 2)

// Image is a processed avatar.
type Image struct {
	Data        []byte
	ContentType string
	// Hash names this picture (for cache-busting URLs and ETags).
	Hash string
}

// Process reads an upload of at most MaxBytes, checks it and returns a
// Size×Size JPEG of its centre.
func Process(r io.Reader) (*Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, ErrTooLarge
	}
	return ProcessBytes(data)
}

// ProcessBytes is Process on an upload already read.
func ProcessBytes(data []byte) (*Image, error) {
	if len(data) > MaxBytes {
		return nil, ErrTooLarge
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || !formats[format] {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, ErrNotImage
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrTooMany
	}
	// A picture of 40 megapixels takes up to 160 MB decoded: two at a
	// time bound what uploads can take of the server's memory.
	decoding <- struct{}{}
	defer func() { <-decoding }()
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrNotImage
	}
	b := src.Bounds()
	if int64(b.Dx())*int64(b.Dy()) > MaxPixels || b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, ErrTooMany
	}
	// The centred square, scaled to Size on a white ground (JPEG has
	// no transparency).
	side := min(b.Dx(), b.Dy())
	crop := image.Rect(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2, 0, 0)
	crop.Max = crop.Min.Add(image.Pt(side, side))
	dst := image.NewRGBA(image.Rect(0, 0, Size, Size))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	if format == "jpeg" {
		dst = orient(dst, jpegOrientation(data))
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(out.Bytes())
	return &Image{Data: out.Bytes(), ContentType: ContentType, Hash: hex.EncodeToString(sum[:8])}, nil
}
