package dev.faultline.plantedcycleb;

import dev.faultline.plantedcyclea.PlantedA;

/** The other half of the planted cycle. */
public class PlantedB {
    PlantedA other;
}
