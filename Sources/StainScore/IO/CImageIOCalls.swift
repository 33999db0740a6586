import CImageIO

/// Exactly one Swift wrapper per CImageIO entry point. Raw pointers stay in here; a failed
/// status becomes an `ImageIOError` that names the file and carries the library's message.
enum CImageIOCalls {
    static func error(_ status: iio_status, _ err: iio_error, path: String, format: ImageFormat?)
        -> ImageIOError
    {
        let message = withUnsafeBytes(of: err.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let kind: ImageIOError.Kind = switch status {
        case IIO_ERR_IO: .cannotRead
        case IIO_ERR_UNSUPPORTED: .unsupported
        case IIO_ERR_ARGUMENT: .invalidRequest
        case IIO_ERR_MEMORY: .outOfMemory
        default: .corrupt
        }
        return ImageIOError(kind, path: path, format: format, message: message.isEmpty ? "unknown error" : message)
    }

    // MARK: PNG

    static func pngInfo(_ data: [UInt8], path: String) throws -> iio_info {
        var info = iio_info()
        var err = iio_error()
        let status = data.withUnsafeBufferPointer { iio_png_info($0.baseAddress, $0.count, &info, &err) }
        guard status == IIO_OK else { throw error(status, err, path: path, format: .png) }
        return info
    }

    static func pngDecode(_ data: [UInt8], into rgb: UnsafeMutableBufferPointer<UInt8>, stride: Int,
                          path: String) throws {
        var err = iio_error()
        let status = data.withUnsafeBufferPointer {
            iio_png_decode($0.baseAddress, $0.count, rgb.baseAddress, stride, rgb.count, &err)
        }
        guard status == IIO_OK else { throw error(status, err, path: path, format: .png) }
    }

    /// libpng only, never the fast path: the reference the fast path is tested against.
    static func pngDecodeLibpng(_ data: [UInt8], into rgb: UnsafeMutableBufferPointer<UInt8>, stride: Int,
                                path: String) throws {
        var err = iio_error()
        let status = data.withUnsafeBufferPointer {
            iio_png_decode_libpng($0.baseAddress, $0.count, rgb.baseAddress, stride, rgb.count, &err)
        }
        guard status == IIO_OK else { throw error(status, err, path: path, format: .png) }
    }

    /// The fast path alone (tests): `.unsupported` with the reason when it would hand the
    /// file to libpng. `simd: false` runs the plain C unfilter.
    static func pngDecodeFast(_ data: [UInt8], into rgb: UnsafeMutableBufferPointer<UInt8>, stride: Int,
                              simd: Bool, path: String) throws {
        var err = iio_error()
        let status = data.withUnsafeBufferPointer {
            iio_png_decode_fast($0.baseAddress, $0.count, rgb.baseAddress, stride, rgb.count, simd ? 1 : 0, &err)
        }
        guard status == IIO_OK else { throw error(status, err, path: path, format: .png) }
    }

    /// Single-channel grey to one `UInt16` per pixel, the stored values (label images).
    static func pngDecodeGrey16(_ data: [UInt8], into samples: UnsafeMutableBufferPointer<UInt16>, stride: Int,
                                path: String) throws {
        var err = iio_error()
        let status = data.withUnsafeBufferPointer {
            iio_png_decode_grey16($0.baseAddress, $0.count, samples.baseAddress, stride, samples.count, &err)
        }
        guard status == IIO_OK else { throw error(status, err, path: path, format: .png) }
    }

    static func pngWrite(path: String, spec: iio_png_spec, rows: UnsafeRawBufferPointer,
                         rowBytes: Int) throws {
        var spec = spec
        var err = iio_error()
        let status = iio_png_write(path, &spec, rows.bindMemory(to: UInt8.self).baseAddress, rowBytes, &err)
        guard status == IIO_OK else { throw error(status, err, path: path, format: .png).asWriteError }
    }

    // MARK: JPEG

    static func jpegInfo(_ data: [UInt8], path: String) throws -> iio_info {
        var info = iio_info()
        var err = iio_error()
        let status = data.withUnsafeBufferPointer { iio_jpeg_info($0.baseAddress, $0.count, &info, &err) }
        guard status == IIO_OK else { throw error(status, err, path: path, format: .jpeg) }
        return info
    }

    static func jpegDecode(_ data: [UInt8], into rgb: UnsafeMutableBufferPointer<UInt8>, stride: Int,
                           path: String) throws {
        var err = iio_error()
        let status = data.withUnsafeBufferPointer {
            iio_jpeg_decode($0.baseAddress, $0.count, rgb.baseAddress, stride, rgb.count, &err)
        }
        guard status == IIO_OK else { throw error(status, err, path: path, format: .jpeg) }
    }

    static func jpegWrite(path: String, spec: iio_jpeg_spec, pixels: UnsafeBufferPointer<UInt8>,
                          stride: Int) throws {
        var spec = spec
        var err = iio_error()
        let status = iio_jpeg_write(path, &spec, pixels.baseAddress, stride, &err)
        guard status == IIO_OK else { throw error(status, err, path: path, format: .jpeg).asWriteError }
    }

    // MARK: TIFF

    static func tiffOpen(path: String) throws -> OpaquePointer {
        var handle: OpaquePointer?
        var err = iio_error()
        let status = iio_tiff_open(path, &handle, &err)
        guard status == IIO_OK, let handle else { throw error(status, err, path: path, format: .tiff) }
        return handle
    }

    static func tiffClose(_ handle: OpaquePointer) {
        iio_tiff_close(handle)
    }

    static func tiffInfo(_ handle: OpaquePointer, page: Int, path: String) throws -> iio_info {
        var info = iio_info()
        var err = iio_error()
        let status = iio_tiff_info(handle, UInt32(clamping: page), &info, &err)
        guard status == IIO_OK else { throw error(status, err, path: path, format: .tiff) }
        return info
    }

    static func tiffReadRegion(_ handle: OpaquePointer, page: Int, rect: PixelRect,
                               into rgb: UnsafeMutableBufferPointer<UInt8>, stride: Int,
                               path: String) throws {
        var err = iio_error()
        let status = iio_tiff_read_region(
            handle, UInt32(clamping: page), UInt32(clamping: rect.x), UInt32(clamping: rect.y),
            UInt32(clamping: rect.width), UInt32(clamping: rect.height), rgb.baseAddress, stride, rgb.count, &err)
        guard status == IIO_OK else { throw error(status, err, path: path, format: .tiff) }
    }

    static func tiffWriterOpen(path: String, bigTIFF: Bool) throws -> OpaquePointer {
        var handle: OpaquePointer?
        var err = iio_error()
        let status = iio_tiff_writer_open(path, bigTIFF ? 1 : 0, &handle, &err)
        guard status == IIO_OK, let handle else { throw error(status, err, path: path, format: .tiff).asWriteError }
        return handle
    }

    static func tiffWriterAddPage(_ handle: OpaquePointer, spec: iio_tiff_page_spec,
                                  pixels: UnsafeRawBufferPointer, stride: Int, path: String) throws {
        var spec = spec
        var err = iio_error()
        let status = iio_tiff_writer_add_page(handle, &spec, pixels.bindMemory(to: UInt8.self).baseAddress,
                                              stride, &err)
        guard status == IIO_OK else { throw error(status, err, path: path, format: .tiff).asWriteError }
    }

    static func tiffWriterClose(_ handle: OpaquePointer, path: String) throws {
        var err = iio_error()
        let status = iio_tiff_writer_close(handle, &err)
        guard status == IIO_OK else { throw error(status, err, path: path, format: .tiff).asWriteError }
    }

    static func tiffCodecAvailable(_ compression: Int32) -> Bool {
        iio_tiff_codec_available(compression) != 0
    }
}

extension ImageIOError {
    /// Failures while writing are `cannotWrite`, whatever the library called them.
    var asWriteError: ImageIOError {
        var copy = self
        if copy.kind == .cannotRead || copy.kind == .corrupt { copy.kind = .cannotWrite }
        return copy
    }
}
