"""YOLO-style detector: letterbox-resizes images read from an image list."""
import os

import trainlib


def imread(path):
    """Like cv2.imread: returns None instead of raising when the file cannot be read."""
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


class ImageArray:
    def __init__(self, raw):
        self.shape = (416, 416, 3)
        self.raw = raw


def letterbox(path, size=416):
    img = imread(path)
    if img is not None:
        img = ImageArray(img)
    h, w = img.shape[:2]
    scale = size / max(h, w)
    return int(h * scale), int(w * scale)


def main():
    os.makedirs("images", exist_ok=True)
    names = ["images/%06d.jpg" % i for i in range(12)]
    for n in names[:11]:
        with open(n, "wb") as f:
            f.write(b"\xff\xd8\xff\xe0")
    with open("trainval.txt", "w") as f:
        f.write("\n".join(names + ["images/000012.JPG"]) + "\n")
    log = trainlib.setup_logging("2018-10-18 16:55:02", seed=61,
                                 fmt="%(asctime)s %(name)s %(levelname)s: %(message)s")
    with open("trainval.txt") as f:
        paths = f.read().split()
    log.info("caching image shapes for %d images", len(paths))
    for i, p in enumerate(paths):
        letterbox(p)
        if i % 4 == 3:
            log.info("  %d/%d", i + 1, len(paths))


if __name__ == "__main__":
    main()
