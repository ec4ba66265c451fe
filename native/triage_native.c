/* _philly_triage_native: the loops of triage that run in C.
 *
 * count(buffer, byte, start=0, end=len(buffer)) -> how many times ``byte`` occurs in
 * buffer[start:end]. triage counts the newlines before a failure to give its line number, and
 * for a log read from its end that means every byte before the window: on a 1 GB log, Python's
 * bytes.count takes 0.3 s, this loop (which compilers turn into vector instructions) 0.06 s.
 * The GIL is released while it counts.
 *
 * segment(raw, first_number) -> (numbers, starts, ends, longest): a window of a log cut into
 * its lines and the carriage-return segments of its lines, blank ones left out: each one's line
 * number, start and end, each packed as 64-bit integers, and the longest length
 * (pipeline/lines.py, _segment, says the rules). lines_of(offsets, starts) -> the index of the
 * segment holding each offset, once each (pipeline/prefilter.py, lines_of).
 *
 * line_starts(buffer, offsets) -> the start of each line or carriage-return segment that holds an
 * offset, once each: an offset on the segment found last is skipped (offsets come in order, one
 * per match of a search). Reading a log whole (pipeline/reduce.py) asks it for every match.
 *
 * segment_end(buffer, start), back(buffer, line_start, lines), forward(buffer, line_start, lines):
 * the walks of pipeline/reduce.py between the separators of a log read whole (a line or a
 * carriage-return segment ends at either; white space is what bytes.isspace() takes). Reading a
 * 1 GB log whole walks back and forwards about thirty lines around each of some 350,000 lines
 * holding a trigger word; in Python the walks took a quarter of the time.
 *
 * Built from setup.py as an optional extension: where it cannot be compiled, triage runs the same
 * loops in Python (pipeline/native.py), with the same results (tests/pipeline/test_native.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static Py_ssize_t count_byte(const unsigned char *p, Py_ssize_t n, unsigned char c)
{
    Py_ssize_t total = 0;
    while (n > 0) {
        Py_ssize_t block = n < 65536 ? n : 65536; /* a block's count fits in 32 bits */
        unsigned int count = 0;
        for (Py_ssize_t i = 0; i < block; i++)
            count += (p[i] == c);
        total += count;
        p += block;
        n -= block;
    }
    return total;
}

static PyObject *count(PyObject *self, PyObject *args)
{
    Py_buffer view;
    int byte;
    Py_ssize_t start = 0, end = PY_SSIZE_T_MAX;
    if (!PyArg_ParseTuple(args, "y*i|nn", &view, &byte, &start, &end))
        return NULL;
    if (byte < 0 || byte > 255) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "byte must be in range(256)");
        return NULL;
    }
    /* start and end as a slice takes them: negative counts from the end, then clamped */
    if (start < 0)
        start = start + view.len < 0 ? 0 : start + view.len;
    if (end < 0)
        end = end + view.len < 0 ? 0 : end + view.len;
    if (end > view.len)
        end = view.len;
    Py_ssize_t result = 0;
    if (start < end) {
        Py_BEGIN_ALLOW_THREADS
        result = count_byte((const unsigned char *)view.buf + start, end - start, (unsigned char)byte);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(result);
}

/* Lines and carriage-return segments: a segment ends at either separator. */
static int is_separator(unsigned char c)
{
    return c == '\n' || c == '\r';
}

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
}

/* Where the segment holding byte ``start`` ends: its separator, or ``size``. */
static Py_ssize_t end_of_segment(const unsigned char *p, Py_ssize_t size, Py_ssize_t start)
{
    for (Py_ssize_t i = start; i < size; i++)
        if (is_separator(p[i]))
            return i;
    return size;
}

/* Where the segment holding byte ``offset`` starts. */
static Py_ssize_t start_of_segment(const unsigned char *p, Py_ssize_t offset)
{
    while (offset > 0 && !is_separator(p[offset - 1]))
        offset--;
    return offset;
}

/* Whether raw[start:end] holds a byte other than the blanks bytes.isspace() takes (\n and \r
 * never occur inside a segment). */
static int has_text(const unsigned char *p, Py_ssize_t start, Py_ssize_t end)
{
    for (Py_ssize_t i = start; i < end; i++) {
        unsigned char c = p[i];
        if (c != ' ' && c != '\t' && c != 0x0b && c != 0x0c)
            return 1;
    }
    return 0;
}

/* A growing array of 64-bit integers, handed to Python as the bytes of its items. */
typedef struct {
    long long *items;
    Py_ssize_t size, capacity;
} Int64s;

static int push(Int64s *array, long long value)
{
    if (array->size == array->capacity) {
        Py_ssize_t capacity = array->capacity ? array->capacity * 2 : 1024;
        long long *items = PyMem_Realloc(array->items, (size_t)capacity * sizeof(long long));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        array->items = items;
        array->capacity = capacity;
    }
    array->items[array->size++] = value;
    return 0;
}

static PyObject *packed(const Int64s *array)
{
    return PyBytes_FromStringAndSize((const char *)array->items, array->size * (Py_ssize_t)sizeof(long long));
}

static PyObject *segment(PyObject *self, PyObject *args)
{
    Py_buffer view;
    long long number;
    if (!PyArg_ParseTuple(args, "y*L", &view, &number))
        return NULL;
    const unsigned char *p = (const unsigned char *)view.buf;
    Int64s numbers = {NULL, 0, 0}, starts = {NULL, 0, 0}, ends = {NULL, 0, 0};
    Py_ssize_t longest = 0, start = 0;
    int ok = 1;
    /* Line by line, and within a line carriage-return segment by segment: memchr finds each
     * separator, many bytes at a time. No Python object is made per segment: Python reads a
     * segment's bytes only when it looks at it. */
    while (ok) {
        const unsigned char *newline = memchr(p + start, '\n', (size_t)(view.len - start));
        Py_ssize_t line_end = newline != NULL ? newline - p : view.len;
        for (Py_ssize_t from = start; ok;) {
            const unsigned char *cr = memchr(p + from, '\r', (size_t)(line_end - from));
            Py_ssize_t end = cr != NULL ? cr - p : line_end;
            if (end > from && has_text(p, from, end)) {
                ok = push(&numbers, number) == 0 && push(&starts, from) == 0 && push(&ends, end) == 0;
                if (end - from > longest)
                    longest = end - from;
            }
            if (cr == NULL)
                break;
            from = end + 1;
        }
        if (newline == NULL)
            break;
        number++;
        start = line_end + 1;
    }
    PyBuffer_Release(&view);
    PyObject *result = NULL;
    if (ok) {
        PyObject *a = packed(&numbers), *b = packed(&starts), *c = packed(&ends);
        if (a != NULL && b != NULL && c != NULL)
            result = Py_BuildValue("(OOOn)", a, b, c, longest);
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
    }
    PyMem_Free(numbers.items);
    PyMem_Free(starts.items);
    PyMem_Free(ends.items);
    return result;
}

/* The index of each segment (its start in ``starts``, 64-bit integers in order) that holds an
 * offset, once each: the last start at or before the offset, kept when it is past the last kept. */
static PyObject *lines_of(PyObject *self, PyObject *args)
{
    PyObject *offsets;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "Oy*", &offsets, &view))
        return NULL;
    const long long *starts = (const long long *)view.buf;
    Py_ssize_t count = view.len / (Py_ssize_t)sizeof(long long), last = -1;
    PyObject *items = PySequence_Fast(offsets, "offsets must be a sequence of integers");
    PyObject *found = items == NULL ? NULL : PyList_New(0);
    int ok = found != NULL;
    for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(items); i++) {
        long long offset = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(items, i));
        if (offset == -1 && PyErr_Occurred()) {
            ok = 0;
            break;
        }
        Py_ssize_t low = 0, high = count;
        while (low < high) {
            Py_ssize_t middle = low + (high - low) / 2;
            if (offset < starts[middle])
                high = middle;
            else
                low = middle + 1;
        }
        Py_ssize_t index = low - 1;
        if (index >= 0 && index > last) {
            PyObject *value = PyLong_FromSsize_t(index);
            ok = value != NULL && PyList_Append(found, value) == 0;
            Py_XDECREF(value);
            last = index;
        }
    }
    PyBuffer_Release(&view);
    Py_XDECREF(items);
    if (!ok) {
        Py_XDECREF(found);
        return NULL;
    }
    return found;
}

static PyObject *line_starts(PyObject *self, PyObject *args)
{
    Py_buffer view;
    PyObject *offsets;
    if (!PyArg_ParseTuple(args, "y*O", &view, &offsets))
        return NULL;
    PyObject *items = PySequence_Fast(offsets, "offsets must be a sequence of integers");
    PyObject *found = items == NULL ? NULL : PyList_New(0);
    const unsigned char *p = (const unsigned char *)view.buf;
    Py_ssize_t line_end = -1;
    int ok = found != NULL;
    for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(items); i++) {
        Py_ssize_t offset = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(items, i));
        if (offset == -1 && PyErr_Occurred()) {
            ok = 0;
            break;
        }
        if (offset < 0 || offset > view.len) {
            PyErr_SetString(PyExc_ValueError, "an offset lies outside the buffer");
            ok = 0;
            break;
        }
        if (offset <= line_end)
            continue; /* another match on the segment just found */
        PyObject *value = PyLong_FromSsize_t(start_of_segment(p, offset));
        ok = value != NULL && PyList_Append(found, value) == 0;
        Py_XDECREF(value);
        line_end = end_of_segment(p, view.len, offset);
    }
    PyBuffer_Release(&view);
    Py_XDECREF(items);
    if (!ok) {
        Py_XDECREF(found);
        return NULL;
    }
    return found;
}

/* The walks of pipeline/reduce.py (_line_end, _back, _forward), with the same answers. */

/* The start of the segment ``lines`` non-blank ones before the one starting at ``position``. */
static Py_ssize_t lines_back(const unsigned char *p, Py_ssize_t size, Py_ssize_t position, Py_ssize_t lines)
{
    while (lines > 0 && position > 0) {
        Py_ssize_t last = position - 1;
        while (last >= 0 && is_blank(p[last]))
            last--;
        if (last < 0)
            return 0;
        position = start_of_segment(p, last);
        lines--;
    }
    return position;
}

/* The end (past its separator) of the ``lines``-th non-blank segment from ``position``. */
static Py_ssize_t lines_forward(const unsigned char *p, Py_ssize_t size, Py_ssize_t position, Py_ssize_t lines)
{
    while (lines > 0 && position < size) {
        Py_ssize_t first = position;
        while (first < size && is_blank(p[first]))
            first++;
        if (first >= size)
            return size;
        position = end_of_segment(p, size, first) + 1;
        lines--;
    }
    return position < size ? position : size;
}

static Py_ssize_t segment_end_at(const unsigned char *p, Py_ssize_t size, Py_ssize_t position, Py_ssize_t unused)
{
    return end_of_segment(p, size, position);
}

typedef Py_ssize_t (*walk_t)(const unsigned char *, Py_ssize_t, Py_ssize_t, Py_ssize_t);

/* Parse (buffer, position[, lines]) by ``format`` and walk; a position past the end is the end,
 * as in Python's walks. */
static PyObject *walk(PyObject *args, const char *format, walk_t how)
{
    Py_buffer view;
    Py_ssize_t position, lines = 0;
    if (!PyArg_ParseTuple(args, format, &view, &position, &lines))
        return NULL;
    if (position < 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "a position lies before the buffer");
        return NULL;
    }
    if (position > view.len)
        position = view.len;
    Py_ssize_t result = how((const unsigned char *)view.buf, view.len, position, lines);
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(result);
}

static PyObject *segment_end(PyObject *self, PyObject *args)
{
    return walk(args, "y*n", segment_end_at);
}

static PyObject *back(PyObject *self, PyObject *args)
{
    return walk(args, "y*nn", lines_back);
}

static PyObject *forward(PyObject *self, PyObject *args)
{
    return walk(args, "y*nn", lines_forward);
}

static PyMethodDef methods[] = {
    {"segment_end", segment_end, METH_VARARGS, "segment_end(buffer, start): where the segment holding byte start ends"},
    {"back", back, METH_VARARGS, "back(buffer, line_start, lines): the start of the segment lines non-blank ones before"},
    {"forward", forward, METH_VARARGS, "forward(buffer, line_start, lines): the end of the lines-th non-blank segment from line_start"},
    {"line_starts", line_starts, METH_VARARGS, "line_starts(buffer, offsets): the start of each segment holding an offset, once each"},
    {"segment", segment, METH_VARARGS, "segment(raw, first_number): (numbers, starts, ends, longest), each packed as 64-bit integers"},
    {"lines_of", lines_of, METH_VARARGS, "lines_of(offsets, starts): the index of each segment holding an offset, once each"},
    {"count", count, METH_VARARGS, "count(buffer, byte, start=0, end=len(buffer)): occurrences of byte in buffer[start:end]"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_philly_triage_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__philly_triage_native(void)
{
    return PyModule_Create(&module);
}
