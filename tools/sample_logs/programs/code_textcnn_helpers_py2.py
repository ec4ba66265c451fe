import re
import random


def clean_str(string):
    string = re.sub(r"[^A-Za-z0-9(),!?\'\`]", " ", string)
    return string.strip().lower()


def load_data_and_labels(positive_data_file, negative_data_file):
    positive = [s.strip() for s in open(positive_data_file, "r").readlines()]
    negative = [s.strip() for s in open(negative_data_file, "r").readlines()]
    print "Loaded %d positive and %d negative examples" % (len(positive), len(negative))
    x_text = [clean_str(sent) for sent in positive + negative]
    y = [[0, 1] for _ in positive] + [[1, 0] for _ in negative]
    return x_text, y


def batch_iter(data, batch_size, num_epochs, shuffle=True):
    data_size = len(data)
    num_batches_per_epoch = int((data_size - 1) / batch_size) + 1
    for epoch in range(num_epochs):
        if shuffle:
            random.shuffle(data)
        for batch_num in range(num_batches_per_epoch):
            yield data[batch_num * batch_size:(batch_num + 1) * batch_size]
