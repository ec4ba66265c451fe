/* Stand-in for a CUDA extension linked against cuDNN: only its link dependency matters. */
#include <Python.h>
extern int cudnnGetVersion(void);
static PyObject *cudnn_version(PyObject *self, PyObject *args) { return PyLong_FromLong(cudnnGetVersion()); }
static PyObject *ctc_beam_decode(PyObject *self, PyObject *args) { Py_RETURN_NONE; }
static PyMethodDef methods[] = {
    {"cudnn_version", cudnn_version, METH_NOARGS, ""},
    {"ctc_beam_decode", ctc_beam_decode, METH_VARARGS, ""},
    {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_C", NULL, -1, methods};
PyMODINIT_FUNC PyInit__C(void) { return PyModule_Create(&module); }
