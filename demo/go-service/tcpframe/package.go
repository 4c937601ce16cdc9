// Package tcpframe is the framed TCP protocol that build agents use to stream
// build events to buildsvc. A package on the wire is a 2-byte type, a 4-byte
// big-endian payload length and a JSON payload.
package tcpframe

import (
	"encoding/binary"
	"errors"
)

// HeaderLen is the size of a package header: type and payload length.
const HeaderLen = 6

// MaxPayload bounds the payload of one package.
const MaxPayload = 1 << 20

// Package types.
const (
	TypeHeartbeat uint16 = 1
	TypeEvent     uint16 = 2
)

var (
	// ErrTooLarge is returned for a package whose payload exceeds MaxPayload.
	ErrTooLarge = errors.New("tcpframe: package too large")

	errIncomplete = errors.New("tcpframe: incomplete package")
)

// Package is one message on the wire.
type Package struct {
	Type uint16
	Data []byte
}

// ParsePackage takes the next complete package out of the connection's read
// buffer. It returns errIncomplete until a whole package has arrived.
func (c *Conn) ParsePackage() (*Package, error) {
	if c.readBuf.Len() < HeaderLen {
		return nil, errIncomplete
	}
	hdr := c.readBuf.Bytes()[:HeaderLen]
	size := binary.BigEndian.Uint32(hdr[2:])
	if size > MaxPayload {
		return nil, ErrTooLarge
	}
	if c.readBuf.Len() < HeaderLen+int(size) {
		return nil, errIncomplete
	}
	typ := binary.BigEndian.Uint16(hdr)
	c.readBuf.Next(HeaderLen)
	return &Package{Type: typ, Data: c.readBuf.Next(int(size))}, nil
}

// AppendPackage appends the wire form of a package to dst.
func AppendPackage(dst []byte, typ uint16, payload []byte) []byte {
	var hdr [HeaderLen]byte
	binary.BigEndian.PutUint16(hdr[:2], typ)
	binary.BigEndian.PutUint32(hdr[2:], uint32(len(payload)))
	dst = append(dst, hdr[:]...)
	return append(dst, payload...)
}
